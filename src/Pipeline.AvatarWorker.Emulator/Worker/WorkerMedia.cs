using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.LiveKit;

namespace Pipeline.AvatarWorker.Emulator.Worker;

/// <summary>
/// The worker's published tracks: a camera track carrying the avatar's rendered frames and a microphone track carrying
/// what it plays (silence between utterances), both pumped from the avatar's media session in real time. Owns the
/// sources and tracks; they are released after the room has been left.
/// </summary>
internal sealed partial class WorkerMedia : IDisposable
{
    /// <summary>Audio the engine may hold before a capture waits: small, so a clear is heard at once.</summary>
    private const int AudioQueueMilliseconds = 100;

    private readonly IAvatarMediaSession _media;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private VideoSource? _video;
    private LocalVideoTrack? _videoTrack;
    private AudioSource? _audio;
    private LocalAudioTrack? _audioTrack;
    private Task _videoPump = Task.CompletedTask;
    private Task _audioPump = Task.CompletedTask;

    private WorkerMedia(IAvatarMediaSession media, ILogger logger)
    {
        _media = media;
        _logger = logger;
    }

    /// <summary>Whether a camera track was published.</summary>
    public bool HasVideo => _videoTrack is not null;

    /// <summary>Publishes the avatar's tracks in <paramref name="room"/> and starts pumping its media into them.</summary>
    public static async Task<WorkerMedia> PublishAsync(
        Room room, EmulatedAvatar avatar, int audioSampleRate, bool publishVideo, ILogger logger, CancellationToken cancellationToken)
    {
        var media = new WorkerMedia(avatar.OpenMediaSession(PixelFormat.I420, audioSampleRate, 1, room.LocalIdentity), logger);
        try
        {
            if (publishVideo)
            {
                media._video = new VideoSource(avatar.Options.Width, avatar.Options.Height);
                media._videoTrack = LocalVideoTrack.Create("avatar_video", media._video);
                await room.PublishTrackAsync(media._videoTrack, new TrackPublishOptions { Source = TrackSource.Camera }, cancellationToken).ConfigureAwait(false);
            }

            media._audio = new AudioSource(audioSampleRate, 1, AudioQueueMilliseconds);
            media._audioTrack = LocalAudioTrack.Create("avatar_audio", media._audio);
            await room.PublishTrackAsync(media._audioTrack, new TrackPublishOptions { Source = TrackSource.Microphone }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await media.StopAsync().ConfigureAwait(false);
            media.Dispose();
            throw;
        }

        if (media._video is { } video)
        {
            media._videoPump = Task.Run(() => media.PumpVideoAsync(video, media._stop.Token), CancellationToken.None);
        }

        media._audioPump = Task.Run(() => media.PumpAudioAsync(media._audio!, media._stop.Token), CancellationToken.None);
        return media;
    }

    /// <summary>Drops the audio the engine has queued but not sent yet (after a clear).</summary>
    public void ClearAudio()
    {
        try
        {
            _audio?.ClearBuffer();
        }
        catch (ObjectDisposedException)
        {
            // Leaving: nothing left to clear.
        }
    }

    /// <summary>Stops the pumps and the avatar's media session (before the room is left).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_videoPump, _audioPump).ConfigureAwait(false);
        await _media.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Releases the tracks and sources (after the room was left).</summary>
    public void Dispose()
    {
        _videoTrack?.Dispose();
        _audioTrack?.Dispose();
        _video?.Dispose();
        _audio?.Dispose();
        _stop.Dispose();
    }

    private async Task PumpVideoAsync(VideoSource source, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (RemoteVideoBuffer frame in _media.ReadVideoAsync(cancellationToken).ConfigureAwait(false))
            {
                using (frame)
                {
                    source.Capture(frame.Data.Span, frame.Width, frame.Height, frame.Format, (long)frame.Timestamp.TotalMicroseconds);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Leaving.
        }
        catch (Exception e)
        {
            LogPumpFailed(e, "video");
        }
    }

    private async Task PumpAudioAsync(AudioSource source, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (RemoteAudioBuffer block in _media.ReadAudioAsync(cancellationToken).ConfigureAwait(false))
            {
                using (block)
                {
                    if (!block.Pcm.IsEmpty)
                    {
                        await source.CaptureAsync(block.Pcm, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Leaving.
        }
        catch (Exception e)
        {
            LogPumpFailed(e, "audio");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The avatar worker's {Kind} track stopped")]
    private partial void LogPumpFailed(Exception error, string kind);
}
