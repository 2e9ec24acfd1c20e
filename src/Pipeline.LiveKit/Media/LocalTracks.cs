using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>A local video track fed by a <see cref="VideoSource"/> (streams can be opened on it for a loopback).</summary>
public sealed class LocalVideoTrack : Track, IDisposable
{
    private LocalVideoTrack(OwnedTrack track)
        : base(FfiHandle.Own(track.Handle), track.Info)
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

    /// <summary>Releases the track; streams opened on it end.</summary>
    public void Dispose() => Handle.Dispose();
}

/// <summary>A local audio track fed by an <see cref="AudioSource"/>.</summary>
public sealed class LocalAudioTrack : Track, IDisposable
{
    private LocalAudioTrack(OwnedTrack track)
        : base(FfiHandle.Own(track.Handle), track.Info)
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

    /// <summary>Releases the track; streams opened on it end.</summary>
    public void Dispose() => Handle.Dispose();
}
