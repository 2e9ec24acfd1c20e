using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;
using ProtoDisconnectReason = Pipeline.LiveKit.Protocol.DisconnectReason;

namespace Pipeline.LiveKit;

/// <summary>The room's event task: applies each engine event to the room's state, then raises it to handlers.</summary>
public sealed partial class Room
{
    private async Task PumpEventsAsync()
    {
        while (await _events.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_events.Reader.TryRead(out FfiEvent? ffiEvent))
            {
                try
                {
                    Handle(ffiEvent.RoomEvent);
                }
                catch (Exception e)
                {
                    LogEventFailed(e, ffiEvent.RoomEvent.MessageCase.ToString());
                }

                if (ffiEvent.RoomEvent.MessageCase == RoomEvent.MessageOneofCase.Eos)
                {
                    ConnectionState = RoomConnectionState.Disconnected;
                    _endOfEvents.TrySetResult();
                }
            }
        }
    }

    private void Handle(RoomEvent roomEvent)
    {
        switch (roomEvent.MessageCase)
        {
            case RoomEvent.MessageOneofCase.ByteStreamOpened:
                _byteStreams.Opened(roomEvent.ByteStreamOpened);
                break;

            case RoomEvent.MessageOneofCase.ParticipantConnected:
            {
                var participant = new RemoteParticipant(roomEvent.ParticipantConnected.Info);
                lock (_gate)
                {
                    if (_participants.Remove(participant.Identity, out RemoteParticipant? stale))
                    {
                        stale.Release();
                    }

                    _participants[participant.Identity] = participant;
                }

                Raise(ParticipantConnected, new ParticipantConnectedEventArgs(participant));
                break;
            }

            case RoomEvent.MessageOneofCase.ParticipantDisconnected:
            {
                ParticipantDisconnected left = roomEvent.ParticipantDisconnected;
                Raise(ParticipantDisconnected, new ParticipantDisconnectedEventArgs(left.ParticipantIdentity, (DisconnectReason)left.DisconnectReason));
                lock (_gate)
                {
                    if (_participants.Remove(left.ParticipantIdentity, out RemoteParticipant? participant))
                    {
                        participant.Release();
                    }
                }

                break;
            }

            case RoomEvent.MessageOneofCase.TrackPublished:
            {
                TrackPublished published = roomEvent.TrackPublished;
                var publication = new TrackPublication(published.Publication);
                RemoteParticipant? participant = GetParticipant(published.ParticipantIdentity);
                if (participant is null)
                {
                    publication.Release();
                    break;
                }

                participant.AddPublication(publication);
                Raise(TrackPublished, new TrackPublishedEventArgs(participant, publication));
                break;
            }

            case RoomEvent.MessageOneofCase.TrackUnpublished:
            {
                TrackUnpublished unpublished = roomEvent.TrackUnpublished;
                Raise(TrackUnpublished, new TrackUnpublishedEventArgs(unpublished.ParticipantIdentity, unpublished.PublicationSid));
                GetParticipant(unpublished.ParticipantIdentity)?.RemovePublication(unpublished.PublicationSid)?.Release();
                break;
            }

            case RoomEvent.MessageOneofCase.TrackSubscribed:
            {
                TrackSubscribed subscribed = roomEvent.TrackSubscribed;
                var track = new RemoteTrack(FfiHandle.Own(subscribed.Track.Handle), subscribed.Track.Info, subscribed.ParticipantIdentity);
                lock (_gate)
                {
                    if (_tracks.Remove(track.Sid, out RemoteTrack? stale))
                    {
                        stale.Release();
                    }

                    _tracks[track.Sid] = track;
                }

                TrackPublication? publication = GetParticipant(subscribed.ParticipantIdentity)?.FindPublication(track.Sid);
                Raise(TrackSubscribed, new TrackSubscribedEventArgs(track, publication));
                break;
            }

            case RoomEvent.MessageOneofCase.TrackUnsubscribed:
            {
                TrackUnsubscribed unsubscribed = roomEvent.TrackUnsubscribed;
                Raise(TrackUnsubscribed, new TrackUnsubscribedEventArgs(unsubscribed.ParticipantIdentity, unsubscribed.TrackSid));
                lock (_gate)
                {
                    if (_tracks.Remove(unsubscribed.TrackSid, out RemoteTrack? track))
                    {
                        track.Release();
                    }
                }

                break;
            }

            case RoomEvent.MessageOneofCase.ParticipantAttributesChanged:
            {
                ParticipantAttributesChanged changed = roomEvent.ParticipantAttributesChanged;
                var attributes = ParticipantAttributes.From(changed.Attributes);
                RemoteParticipant? participant = GetParticipant(changed.ParticipantIdentity);
                ParticipantAttributes? target = participant?.AttributeSet
                    ?? (changed.ParticipantIdentity == _localParticipant?.Identity ? _localParticipant.AttributeSet : null);
                target?.Replace(attributes);
                Raise(ParticipantAttributesChanged, new ParticipantAttributesChangedEventArgs(
                    changed.ParticipantIdentity, participant, attributes, ParticipantAttributes.From(changed.ChangedAttributes)));
                break;
            }

            case RoomEvent.MessageOneofCase.TrackSubscriptionFailed:
                LogSubscriptionFailed(roomEvent.TrackSubscriptionFailed.TrackSid, roomEvent.TrackSubscriptionFailed.ParticipantIdentity, roomEvent.TrackSubscriptionFailed.Error);
                break;
            case RoomEvent.MessageOneofCase.TrackMuted:
                SetMuted(roomEvent.TrackMuted.ParticipantIdentity, roomEvent.TrackMuted.TrackSid, true);
                break;
            case RoomEvent.MessageOneofCase.TrackUnmuted:
                SetMuted(roomEvent.TrackUnmuted.ParticipantIdentity, roomEvent.TrackUnmuted.TrackSid, false);
                break;
            case RoomEvent.MessageOneofCase.RoomSidChanged:
                Sid = roomEvent.RoomSidChanged.Sid;
                break;
            case RoomEvent.MessageOneofCase.ConnectionStateChanged:
                ConnectionState = (RoomConnectionState)roomEvent.ConnectionStateChanged.State;
                Raise(ConnectionStateChanged, new ConnectionStateChangedEventArgs(ConnectionState));
                break;
            case RoomEvent.MessageOneofCase.Disconnected:
                ConnectionState = RoomConnectionState.Disconnected;
                Raise(Disconnected, new RoomDisconnectedEventArgs(ToReason(roomEvent.Disconnected.Reason)));
                break;
            case RoomEvent.MessageOneofCase.Reconnecting:
                Raise(Reconnecting, EventArgs.Empty);
                break;
            case RoomEvent.MessageOneofCase.Reconnected:
                Raise(Reconnected, EventArgs.Empty);
                break;
            case RoomEvent.MessageOneofCase.DataPacketReceived when roomEvent.DataPacketReceived.User is { } user:
                Raise(DataReceived, ToDataReceived(roomEvent.DataPacketReceived, user));
                break;
        }
    }

    private static unsafe DataReceivedEventArgs ToDataReceived(DataPacketReceived packet, UserPacket user)
    {
        // The payload lives in the engine until its buffer handle is dropped: copy it out, then drop.
        using FfiHandle buffer = FfiHandle.Own(user.Data?.Handle);
        byte[] data = user.Data?.Data is { DataLen: > 0 } info
            ? new ReadOnlySpan<byte>((void*)info.DataPtr, checked((int)info.DataLen)).ToArray()
            : [];
        return new DataReceivedEventArgs(packet.ParticipantIdentity, data, user.HasTopic ? user.Topic : null, packet.Kind == DataPacketKind.KindReliable);
    }

    private static DisconnectReason ToReason(ProtoDisconnectReason reason) => (DisconnectReason)reason;

    private void SetMuted(string identity, string trackSid, bool muted)
    {
        if (GetParticipant(identity)?.FindPublication(trackSid) is { } publication)
        {
            publication.Muted = muted;
        }
    }

    private void Raise<T>(EventHandler<T>? handlers, T args)
    {
        if (handlers is null)
        {
            return;
        }

        // Each handler separately: one that throws must not keep the others from hearing about the event.
        foreach (EventHandler<T> handler in handlers.GetInvocationList().Cast<EventHandler<T>>())
        {
            s_raising.Value = this;
            try
            {
                handler(this, args);
            }
            catch (Exception e)
            {
                LogHandlerFailed(e, typeof(T).Name);
            }
            finally
            {
                s_raising.Value = null;
            }
        }
    }

    private void Raise(EventHandler? handlers, EventArgs args)
    {
        foreach (EventHandler handler in handlers?.GetInvocationList().Cast<EventHandler>() ?? [])
        {
            s_raising.Value = this;
            try
            {
                handler(this, args);
            }
            catch (Exception e)
            {
                LogHandlerFailed(e, nameof(EventArgs));
            }
            finally
            {
                s_raising.Value = null;
            }
        }
    }
}
