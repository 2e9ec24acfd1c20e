using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit.Native;

/// <summary>Releases the handles an event hands over, for an event nobody will consume.</summary>
internal static class FfiEventHandles
{
    public static void Release(FfiEvent ffiEvent)
    {
        switch (ffiEvent.MessageCase)
        {
            case FfiEvent.MessageOneofCase.VideoStreamEvent when ffiEvent.VideoStreamEvent.FrameReceived is { } frame:
                FfiClient.DropHandle(frame.Buffer?.Handle?.Id ?? 0);
                break;
            case FfiEvent.MessageOneofCase.AudioStreamEvent when ffiEvent.AudioStreamEvent.FrameReceived is { } frame:
                FfiClient.DropHandle(frame.Frame?.Handle?.Id ?? 0);
                break;
            case FfiEvent.MessageOneofCase.RoomEvent:
                RoomEvent roomEvent = ffiEvent.RoomEvent;
                FfiClient.DropHandle(roomEvent.ParticipantConnected?.Info?.Handle?.Id ?? 0);
                FfiClient.DropHandle(roomEvent.TrackPublished?.Publication?.Handle?.Id ?? 0);
                FfiClient.DropHandle(roomEvent.TrackSubscribed?.Track?.Handle?.Id ?? 0);
                FfiClient.DropHandle(roomEvent.DataPacketReceived?.User?.Data?.Handle?.Id ?? 0);
                FfiClient.DropHandle(roomEvent.ByteStreamOpened?.Reader?.Handle?.Id ?? 0);
                break;
            case FfiEvent.MessageOneofCase.ByteStreamOpen when ffiEvent.ByteStreamOpen.Writer is { } writer:
                // Closed first: releasing an unclosed writer off the engine's threads aborts the process (ffi 0.12.43).
                ByteStreamWriter.CloseAbandoned(writer.Handle?.Id ?? 0);
                FfiClient.DropHandle(writer.Handle?.Id ?? 0);
                break;
            case FfiEvent.MessageOneofCase.PublishTrack when ffiEvent.PublishTrack.Publication is { } publication:
                FfiClient.DropHandle(publication.Handle?.Id ?? 0);
                break;
            case FfiEvent.MessageOneofCase.Connect when ffiEvent.Connect.Result is { } result:
                FfiClient.DropHandle(result.Room?.Handle?.Id ?? 0);
                FfiClient.DropHandle(result.LocalParticipant?.Handle?.Id ?? 0);
                foreach (ConnectCallback.Types.ParticipantWithTracks p in result.Participants)
                {
                    FfiClient.DropHandle(p.Participant?.Handle?.Id ?? 0);
                    foreach (OwnedTrackPublication publication in p.Publications)
                    {
                        FfiClient.DropHandle(publication.Handle?.Id ?? 0);
                    }
                }

                break;
        }
    }
}
