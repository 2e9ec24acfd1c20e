using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Processors;

/// <summary>What a <see cref="FrameScheduler"/> needs from its processor (implemented explicitly by <see cref="FrameProcessor"/>).</summary>
internal interface IFrameSchedulerHost
{
    /// <summary>The processor's name, for logs and errors.</summary>
    string Name { get; }

    /// <summary>The processor's logger (replaced at setup).</summary>
    ILogger Logger { get; }

    /// <summary>Processes one frame (the processor's <c>ProcessFrameAsync</c>).</summary>
    ValueTask ProcessAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken);

    /// <summary>A downstream <see cref="StartFrame"/> is about to be processed.</summary>
    void OnStarted(StartFrame start);

    /// <summary>Pushes a frame on, not cancellable (error reports, a failed cancel that must still travel).</summary>
    ValueTask PushAsync(Frame frame, FrameDirection direction);

    /// <summary>Pushes a non-fatal error upstream (a background task failed).</summary>
    ValueTask PushErrorAsync(string message, Exception exception);

    /// <summary>A frame was discarded (counted in <c>pipeline.frames.dropped</c>); <paramref name="reason"/> is a constant.</summary>
    void OnFrameDropped(string reason);
}
