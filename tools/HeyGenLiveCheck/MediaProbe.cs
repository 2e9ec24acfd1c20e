using Pipeline.Core.Media;

namespace HeyGenLiveCheck;

/// <summary>Reads the avatar's video and audio for the whole check: when the first frame came, its size, which tracks
/// carried anything, and the first non-silent audio after speech was sent.</summary>
internal sealed class MediaProbe
{
    private const int SilenceThreshold = 500; // PCM16 amplitude; the avatar's silence is zeros or near them
    private readonly LiveCheckReport _report;
    private readonly TaskCompletionSource _firstVideo = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _speechSentTicks = -1;
    private long _firstSpeechAudioTicks = -1;
    private int _audioFrames;
    private int _videoFrames;

    public MediaProbe(LiveCheckReport report, IAvatarMediaSession media, TimeSpan joinedAt, CancellationToken cancellationToken)
    {
        _report = report;
        FirstVideoAt = joinedAt;
        _ = ReadVideoAsync(media, cancellationToken);
        _ = ReadAudioAsync(media, cancellationToken);
    }

    public Task FirstVideo => _firstVideo.Task;

    public TimeSpan FirstVideoAt { get; private set; }

    public string VideoSize { get; private set; } = "no video";

    public string Tracks => $"video({Volatile.Read(ref _videoFrames)} frames) audio({Volatile.Read(ref _audioFrames)} frames)";

    public TimeSpan? FirstSpeechAudio => Interlocked.Read(ref _firstSpeechAudioTicks) is var t and >= 0 ? TimeSpan.FromTicks(t) : null;

    public void MarkSpeech(TimeSpan at) => Interlocked.Exchange(ref _speechSentTicks, at.Ticks);

    // Both readers end when the media session is disposed (its streams complete) or the run is cancelled.
    private async Task ReadVideoAsync(IAvatarMediaSession media, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in media.ReadVideoAsync(cancellationToken).ConfigureAwait(false))
            {
                using (frame)
                {
                    if (Interlocked.Increment(ref _videoFrames) == 1)
                    {
                        FirstVideoAt = _report.Elapsed;
                        VideoSize = $"{frame.Width}x{frame.Height}";
                        _firstVideo.TrySetResult();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or AvatarMediaException or ObjectDisposedException)
        {
            _firstVideo.TrySetException(new AvatarMediaException("the avatar's video ended before its first frame: " + ex.Message));
        }
    }

    private async Task ReadAudioAsync(IAvatarMediaSession media, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var block in media.ReadAudioAsync(cancellationToken).ConfigureAwait(false))
            {
                using (block)
                {
                    Interlocked.Increment(ref _audioFrames);
                    if (Interlocked.Read(ref _speechSentTicks) >= 0 && Interlocked.Read(ref _firstSpeechAudioTicks) < 0 && Loud(block.Pcm.Span))
                    {
                        Interlocked.Exchange(ref _firstSpeechAudioTicks, _report.Elapsed.Ticks);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or AvatarMediaException or ObjectDisposedException)
        {
            // The audio ends with the session; nothing waits on it.
        }
    }

    private static bool Loud(ReadOnlySpan<byte> pcm)
    {
        for (var i = 0; i + 1 < pcm.Length; i += 2)
        {
            if (Math.Abs((short)(pcm[i] | (pcm[i + 1] << 8))) > SilenceThreshold) return true;
        }

        return false;
    }
}
