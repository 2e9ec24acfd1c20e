namespace Pipeline.LiveKit;

/// <summary>How an <see cref="AudioStream"/> delivers audio; the engine resamples and remixes to this.</summary>
public sealed record AudioStreamOptions
{
    /// <summary>Sample rate, in Hz. Default 48 000.</summary>
    public int SampleRate { get; init; } = 48_000;

    /// <summary>Channel count. Default 1.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Duration of each block, in milliseconds. Default 10.</summary>
    public int FrameSizeMilliseconds { get; init; } = 10;

    /// <summary>Blocks buffered for a slow reader before the oldest is dropped. Default 50 (half a second at 10 ms).</summary>
    public int Capacity { get; init; } = 50;
}
