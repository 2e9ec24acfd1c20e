using Pipeline.Core.Frames;

namespace Pipeline.LiveKit;

/// <summary>
/// The output side's published tracks in the room: a video source and track, an audio source and track (either may be
/// absent), owned here and released once the room has been left.
/// </summary>
internal sealed class RoomOutputMedia : IOutputMediaSink, IDisposable
{
    private VideoSource? _video;
    private LocalVideoTrack? _videoTrack;
    private AudioSource? _audio;
    private LocalAudioTrack? _audioTrack;

    private RoomOutputMedia()
    {
    }

    /// <summary>Creates the sources and tracks <paramref name="format"/> asks for and publishes them in <paramref name="room"/>.</summary>
    public static async Task<RoomOutputMedia> PublishAsync(Room room, OutputMediaFormat format, LiveKitTransportOptions options, CancellationToken cancellationToken)
    {
        var media = new RoomOutputMedia();
        try
        {
            if (format.HasVideo)
            {
                media._video = new VideoSource(format.VideoWidth, format.VideoHeight);
                media._videoTrack = LocalVideoTrack.Create(options.VideoTrackName, media._video);
                await room.PublishTrackAsync(media._videoTrack, new TrackPublishOptions { Source = TrackSource.Camera }, cancellationToken).ConfigureAwait(false);
            }

            if (format.HasAudio)
            {
                media._audio = new AudioSource(format.AudioSampleRate, format.AudioChannels, options.OutputAudioQueueMilliseconds);
                media._audioTrack = LocalAudioTrack.Create(options.AudioTrackName, media._audio);
                await room.PublishTrackAsync(media._audioTrack, new TrackPublishOptions { Source = TrackSource.Microphone }, cancellationToken).ConfigureAwait(false);
            }

            return media;
        }
        catch
        {
            media.Dispose();
            throw;
        }
    }

    public Task CaptureAudioAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken) =>
        (_audio ?? throw new InvalidOperationException("No audio track is published.")).CaptureAsync(pcm, cancellationToken);

    public void CaptureVideo(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, long timestampMicroseconds) =>
        (_video ?? throw new InvalidOperationException("No video track is published.")).Capture(pixels, width, height, format, timestampMicroseconds);

    public void ClearAudio() => _audio?.ClearBuffer();

    public void Dispose()
    {
        _videoTrack?.Dispose();
        _audioTrack?.Dispose();
        _video?.Dispose();
        _audio?.Dispose();
    }
}
