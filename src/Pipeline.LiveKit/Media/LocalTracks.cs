using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// A track made here from a local source: published with <see cref="Room.PublishTrackAsync"/>, or read back through a
/// stream for a loopback. Disposing it releases this process's reference; a room that publishes it keeps sending
/// until it is unpublished.
/// </summary>
public abstract class LocalTrack : Track, IDisposable
{
    private protected LocalTrack(OwnedTrack track)
        : base(FfiHandle.Own(track.Handle), track.Info)
    {
    }

    /// <summary>Releases the track; streams opened on it end.</summary>
    public void Dispose()
    {
        Handle.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A local video track fed by a <see cref="VideoSource"/>.</summary>
public sealed class LocalVideoTrack : LocalTrack
{
    private LocalVideoTrack(OwnedTrack track)
        : base(track)
    {
    }

    /// <summary>Creates a track named <paramref name="name"/> over <paramref name="source"/>.</summary>
    public static LocalVideoTrack Create(string name, VideoSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        FfiResponse response = FfiClient.Instance.Request(new FfiRequest
        {
            CreateVideoTrack = new CreateVideoTrackRequest { Name = name, SourceHandle = source.HandleId },
        });
        return new LocalVideoTrack(response.CreateVideoTrack.Track);
    }
}

/// <summary>A local audio track fed by an <see cref="AudioSource"/>.</summary>
public sealed class LocalAudioTrack : LocalTrack
{
    private LocalAudioTrack(OwnedTrack track)
        : base(track)
    {
    }

    /// <summary>Creates a track named <paramref name="name"/> over <paramref name="source"/>.</summary>
    public static LocalAudioTrack Create(string name, AudioSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        FfiResponse response = FfiClient.Instance.Request(new FfiRequest
        {
            CreateAudioTrack = new CreateAudioTrackRequest { Name = name, SourceHandle = source.HandleId },
        });
        return new LocalAudioTrack(response.CreateAudioTrack.Track);
    }
}
