namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>How the emulated avatar renders and plays back.</summary>
public sealed class EmulatedAvatarOptions
{
    /// <summary>Sample rate of the speech the avatar receives (<c>agent.speak</c>), in Hz: HeyGen's 24 000.</summary>
    public const int SpeechSampleRate = 24_000;

    /// <summary>Video width in pixels. Default 640.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Video height in pixels. Default 360.</summary>
    public int Height { get; init; } = 360;

    /// <summary>Video frames per second. Default 25.</summary>
    public double FrameRate { get; init; } = 25;

    /// <summary>Duration of one audio block (the playback clock's tick). Default 20 ms.</summary>
    public TimeSpan AudioBlock { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How many video frames a slow reader may fall behind before the oldest are dropped. Default 50.</summary>
    public int VideoQueueFrames { get; init; } = 50;

    /// <summary>How many audio blocks a slow reader may fall behind before the oldest are dropped. Default 500 (10 s of
    /// 20 ms blocks).</summary>
    public int AudioQueueBlocks { get; init; } = 500;

    internal void Validate()
    {
        if (FrameRate is <= 0 or > 120)
        {
            throw new ArgumentOutOfRangeException(nameof(FrameRate), FrameRate, "Frame rate must be above 0 and at most 120.");
        }

        if (AudioBlock < TimeSpan.FromMilliseconds(5) || AudioBlock > TimeSpan.FromMilliseconds(100)
            || AudioBlock.Ticks * SpeechSampleRate % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AudioBlock), AudioBlock, "Audio block must be 5 to 100 ms and a whole number of 24 kHz samples.");
        }

        if (VideoQueueFrames < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(VideoQueueFrames), VideoQueueFrames, "Must be at least 1.");
        }

        if (AudioQueueBlocks < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(AudioQueueBlocks), AudioQueueBlocks, "Must be at least 1.");
        }
    }
}
