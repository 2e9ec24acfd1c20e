namespace Pipeline.Core.Processors;

/// <summary>How a processor queues frames.</summary>
public sealed class FrameProcessorOptions
{
    /// <summary>The options used when none are given.</summary>
    public static FrameProcessorOptions Default { get; } = new();

    /// <summary>
    /// How many downstream data/control frames may wait in the queue before a pusher has to wait (backpressure).
    /// Upstream frames and system frames never wait. Default 256.
    /// </summary>
    public int QueueCapacity { get; init; } = 256;

    internal void Validate()
    {
        if (QueueCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueCapacity), QueueCapacity, "Queue capacity must be at least 1.");
        }
    }
}
