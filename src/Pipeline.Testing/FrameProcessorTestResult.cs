using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.Testing;

/// <summary>What a processor emitted during <see cref="FrameProcessorTester.RunAsync"/>.</summary>
/// <param name="Downstream">Frames that came out downstream, in order.</param>
/// <param name="Upstream">Frames that came out upstream, in order.</param>
/// <param name="Reason">Why the run finished.</param>
/// <param name="FatalError">The fatal error that ended the run, if any.</param>
/// <param name="TasksLeftRunning">Tasks still running after the run (0 for a well-behaved processor).</param>
public sealed record FrameProcessorTestResult(
    IReadOnlyList<Frame> Downstream,
    IReadOnlyList<Frame> Upstream,
    PipelineFinishReason Reason,
    ErrorFrame? FatalError,
    int TasksLeftRunning);
