using Pipeline.LiveKit.Native;
using ProtoTrackInfo = Pipeline.LiveKit.Protocol.TrackInfo;

namespace Pipeline.LiveKit;

/// <summary>What a track carries.</summary>
public enum TrackKind
{
    /// <summary>Unknown.</summary>
    Unknown = 0,

    /// <summary>Audio.</summary>
    Audio = 1,

    /// <summary>Video.</summary>
    Video = 2,
}

/// <summary>Where a track comes from on the publisher's side.</summary>
public enum TrackSource
{
    /// <summary>Unknown.</summary>
    Unknown = 0,

    /// <summary>A camera (an avatar's video is published as one).</summary>
    Camera = 1,

    /// <summary>A microphone (an avatar's voice is published as one).</summary>
    Microphone = 2,

    /// <summary>A shared screen.</summary>
    ScreenShare = 3,

    /// <summary>A shared screen's audio.</summary>
    ScreenShareAudio = 4,
}

/// <summary>A media track in the engine: a remote participant's, or a local one made from a source.</summary>
public abstract class Track
{
    private protected Track(FfiHandle handle, ProtoTrackInfo info)
    {
        Handle = handle;
        Sid = info.Sid;
        Name = info.Name;
        Kind = (TrackKind)info.Kind;
    }

    /// <summary>The track's server id (<c>TR_…</c>; <c>TR_unknown</c> for a local track not yet published).</summary>
    public string Sid { get; }

    /// <summary>The name the publisher gave it.</summary>
    public string Name { get; }

    /// <summary>Audio or video.</summary>
    public TrackKind Kind { get; }

    internal FfiHandle Handle { get; }

    internal ulong HandleId
    {
        get
        {
            ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
            return Handle.Id;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Kind} track {Sid} ({Name})";
}

/// <summary>A track of a remote participant, owned by its <see cref="Room"/> until it is unsubscribed.</summary>
public sealed class RemoteTrack : Track
{
    internal RemoteTrack(FfiHandle handle, ProtoTrackInfo info, string participantIdentity)
        : base(handle, info)
    {
        ParticipantIdentity = participantIdentity;
    }

    /// <summary>Identity of the participant that publishes it.</summary>
    public string ParticipantIdentity { get; }

    internal void Release() => Handle.Dispose();
}
