namespace Pipeline.Core.Frames;

/// <summary>Limits and misuse policy of a <see cref="FrameBufferPool"/>.</summary>
public sealed class FrameBufferPoolOptions
{
    /// <summary>The largest buffer the pool rents, in bytes. Default 64 MiB (an 8K RGBA image is 133 MB: raise it for that).</summary>
    public int MaxBufferLength { get; init; } = 64 * 1024 * 1024;

    /// <summary>
    /// Bytes of idle large buffers the pool keeps for reuse; a buffer returned beyond it is left to the garbage
    /// collector. Default 128 MiB (about 46 idle 720p RGB24 frames). Buffers smaller than
    /// <see cref="FrameBufferPool.LargeBufferThreshold"/> live in <see cref="System.Buffers.ArrayPool{T}.Shared"/> instead.
    /// </summary>
    public long MaxRetainedBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>
    /// Throw <see cref="InvalidOperationException"/> on a release past the last reference (a bug in a processor),
    /// besides counting it in <see cref="FrameBufferPool.DoubleReleases"/>. Default: true in a Debug build of
    /// Pipeline.Core, false in Release (a production pipeline keeps running; watch the counter).
    /// </summary>
    public bool ThrowOnDoubleRelease { get; init; } =
#if DEBUG
        true;
#else
        false;
#endif

    internal void Validate()
    {
        if (MaxBufferLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBufferLength), MaxBufferLength, "The largest buffer must be at least 1 byte.");
        }

        if (MaxRetainedBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetainedBytes), MaxRetainedBytes, "The retained bytes cannot be negative (0 keeps nothing).");
        }
    }
}
