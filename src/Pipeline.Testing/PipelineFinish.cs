using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.Testing;

/// <summary>How a run watched by a <see cref="PipelineHarness"/> ended, read once <see cref="PipelineTask.RunAsync"/> returned.</summary>
/// <param name="Reason">Why the run finished (<see cref="PipelineFinishReason.Failed"/> when it threw a <see cref="PipelineException"/>).</param>
/// <param name="FatalError">The fatal error that ended the run, if any.</param>
/// <param name="Exception">What <see cref="PipelineTask.RunAsync"/> threw, if anything.</param>
/// <param name="RunningTaskCount">Tasks still running when the run returned (0 for a well-behaved pipeline).</param>
/// <param name="RunningTaskNames">Their names.</param>
public sealed record PipelineFinish(
    PipelineFinishReason Reason,
    ErrorFrame? FatalError,
    Exception? Exception,
    int RunningTaskCount,
    IReadOnlyList<string> RunningTaskNames)
{
    /// <summary>Whether the run's own token was cancelled (it threw <see cref="OperationCanceledException"/>).</summary>
    public bool TokenCancelled => Exception is OperationCanceledException;
}
