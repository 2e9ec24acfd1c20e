namespace Pipeline.LiveKit;

/// <summary>A participant joined.</summary>
/// <param name="Participant">The participant.</param>
public sealed record ParticipantConnectedEventArgs(RemoteParticipant Participant);

/// <summary>A participant left.</summary>
/// <param name="Identity">The participant's identity.</param>
/// <param name="Reason">Why.</param>
public sealed record ParticipantDisconnectedEventArgs(string Identity, DisconnectReason Reason);

/// <summary>A participant published a track.</summary>
/// <param name="Participant">The publisher.</param>
/// <param name="Publication">The track publication.</param>
public sealed record TrackPublishedEventArgs(RemoteParticipant Participant, TrackPublication Publication);

/// <summary>A participant unpublished a track.</summary>
/// <param name="ParticipantIdentity">The publisher's identity.</param>
/// <param name="PublicationSid">The track's server id.</param>
public sealed record TrackUnpublishedEventArgs(string ParticipantIdentity, string PublicationSid);

/// <summary>
/// A remote track is subscribed: the moment to open a <see cref="VideoStream"/> or <see cref="AudioStream"/> on it.
/// The track stays valid until <see cref="Room.TrackUnsubscribed"/> for it has been raised.
/// </summary>
/// <param name="Track">The track.</param>
/// <param name="Publication">Its publication, if known.</param>
public sealed record TrackSubscribedEventArgs(RemoteTrack Track, TrackPublication? Publication);

/// <summary>A remote track is no longer subscribed; dispose the streams opened on it.</summary>
/// <param name="ParticipantIdentity">The publisher's identity.</param>
/// <param name="TrackSid">The track's server id.</param>
public sealed record TrackUnsubscribedEventArgs(string ParticipantIdentity, string TrackSid);

/// <summary>The room's connection changed state.</summary>
/// <param name="State">The new state.</param>
public sealed record ConnectionStateChangedEventArgs(RoomConnectionState State);

/// <summary>The room disconnected.</summary>
/// <param name="Reason">Why.</param>
public sealed record RoomDisconnectedEventArgs(DisconnectReason Reason);

/// <summary>A data message arrived.</summary>
/// <param name="ParticipantIdentity">The sender's identity (empty when a server API sent it).</param>
/// <param name="Data">The payload (a copy the handler may keep).</param>
/// <param name="Topic">The sender's topic, or <see langword="null"/>.</param>
/// <param name="Reliable">Whether it was sent reliably (ordered, retransmitted) rather than lossy.</param>
public sealed record DataReceivedEventArgs(string ParticipantIdentity, ReadOnlyMemory<byte> Data, string? Topic, bool Reliable);

/// <summary>A participant's attributes changed (the server sent an update); the participant's own
/// <c>Attributes</c> already show the new set when this is raised.</summary>
/// <param name="ParticipantIdentity">Whose attributes changed (ours when it is <see cref="Room.LocalIdentity"/>).</param>
/// <param name="Participant">That participant, or <see langword="null"/> when it is us.</param>
/// <param name="Attributes">All of its attributes now.</param>
/// <param name="ChangedAttributes">The ones that changed, with their new values (a removed attribute has an empty value).</param>
public sealed record ParticipantAttributesChangedEventArgs(
    string ParticipantIdentity,
    RemoteParticipant? Participant,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyDictionary<string, string> ChangedAttributes);
