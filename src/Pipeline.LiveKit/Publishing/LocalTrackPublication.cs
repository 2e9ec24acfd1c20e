using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// A track this room publishes, from <see cref="Room.PublishTrackAsync"/> until
/// <see cref="Room.UnpublishTrackAsync"/> or the room's disposal (which releases it).
/// </summary>
public sealed class LocalTrackPublication
{
    private readonly FfiHandle _handle;

    internal LocalTrackPublication(OwnedTrackPublication owned, LocalTrack track, LocalParticipant owner)
    {
        _handle = FfiHandle.Own(owned.Handle);
        TrackPublicationInfo info = owned.Info;
        Sid = info.Sid;
        Name = info.Name;
        Kind = (TrackKind)info.Kind;
        Source = (TrackSource)info.Source;
        MimeType = info.MimeType;
        Simulcasted = info.Simulcasted;
        Track = track;
        Owner = owner;
    }

    /// <summary>The track's server id (<c>TR_…</c>), as other participants see it.</summary>
    public string Sid { get; }

    /// <summary>The track's name.</summary>
    public string Name { get; }

    /// <summary>Audio or video.</summary>
    public TrackKind Kind { get; }

    /// <summary>Camera, microphone, screen share…</summary>
    public TrackSource Source { get; }

    /// <summary>Codec MIME type, e.g. <c>video/VP8</c>, when known at publication.</summary>
    public string MimeType { get; }

    /// <summary>Whether several resolutions are published.</summary>
    public bool Simulcasted { get; }

    /// <summary>The local track being published.</summary>
    public LocalTrack Track { get; }

    internal LocalParticipant Owner { get; }

    internal void Release() => _handle.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"local {Kind} publication {Sid} ({Name}, {Source})";
}
