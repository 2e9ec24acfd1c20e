namespace Pipeline.LiveKit.Tests;

/// <summary>
/// A participant's camera and microphone for publishing tests: I420 colour bars and a 440 Hz tone, captured until
/// disposed. The audio source paces the loop in real time (its queue is short), and a video frame goes out every
/// third 10 ms block, so no timer is involved.
/// </summary>
internal sealed class LocalMediaPublisher : IAsyncDisposable
{
    public const int Width = 320;
    public const int Height = 240;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _capture;

    public LocalMediaPublisher()
    {
        VideoSource = new VideoSource(Width, Height);
        AudioSource = new AudioSource(48_000, 1, queueMilliseconds: 100);
        Video = LocalVideoTrack.Create("camera", VideoSource);
        Audio = LocalAudioTrack.Create("microphone", AudioSource);
        _capture = Task.Run(CaptureAsync, CancellationToken.None);
    }

    public VideoSource VideoSource { get; }

    public AudioSource AudioSource { get; }

    public LocalVideoTrack Video { get; }

    public LocalAudioTrack Audio { get; }

    private async Task CaptureAsync()
    {
        byte[] bars = TestPatterns.BarsI420(Width, Height);
        try
        {
            for (long block = 0; !_stop.IsCancellationRequested; block++)
            {
                if (block % 3 == 0)
                {
                    VideoSource.Capture(bars, Width, Height, Pipeline.Core.Frames.PixelFormat.I420);
                }

                await AudioSource.CaptureAsync(TestPatterns.Tone(440, 48_000, 1, 480, 8_000, block * 480), _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _capture;
        _stop.Dispose();
        Video.Dispose();
        Audio.Dispose();
        VideoSource.Dispose();
        AudioSource.Dispose();
    }
}
