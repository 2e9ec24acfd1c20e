using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.Core.Observers;

/// <summary>
/// Sees every frame a processor pushes, without being part of the pipeline. Implementations must be quick and
/// thread-safe: they run on the pushing processor's task, for every hop.
/// </summary>
public interface IFrameObserver
{
    /// <summary>Called for every push, before the frame reaches <see cref="FramePushed.Destination"/>.</summary>
    ValueTask OnFramePushedAsync(FramePushed pushed, CancellationToken cancellationToken);
}

/// <summary>One hop of a frame from one processor to the next.</summary>
/// <param name="Source">The processor that pushed the frame.</param>
/// <param name="Destination">The processor that receives it, or null at the end of the chain.</param>
/// <param name="Frame">The frame.</param>
/// <param name="Direction">Which way it travels.</param>
/// <param name="Timestamp">When it was pushed (from the pipeline's <see cref="TimeProvider"/>).</param>
public readonly record struct FramePushed(
    FrameProcessor Source,
    FrameProcessor? Destination,
    Frame Frame,
    FrameDirection Direction,
    DateTimeOffset Timestamp);
