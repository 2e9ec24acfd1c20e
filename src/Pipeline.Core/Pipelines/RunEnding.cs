using Pipeline.Core.Frames;

namespace Pipeline.Core.Pipelines;

/// <summary>
/// Why a <see cref="PipelineTask"/> run ends: the lifecycle frame that reached the end of the pipeline, a stop that was
/// requested (cancel, idle timeout, fatal error), and the fatal error, if any. The first of each wins.
/// </summary>
internal sealed class RunEnding
{
    private readonly TaskCompletionSource<PipelineFinishReason> _endReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<PipelineFinishReason> _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ErrorFrame? _fatalError;

    /// <summary>The first fatal error, if any.</summary>
    public ErrorFrame? FatalError => Volatile.Read(ref _fatalError);

    /// <summary>Completes when an <see cref="EndFrame"/>, <see cref="StopFrame"/> or <see cref="CancelFrame"/> reached the end.</summary>
    public Task<PipelineFinishReason> EndReached => _endReached.Task;

    /// <summary>Records a stop request; false when one was already recorded.</summary>
    public bool TryRequestStop(PipelineFinishReason reason) => _stopRequested.TrySetResult(reason);

    /// <summary>
    /// Records a fatal error (the first one stays); false when this very error was already recorded (a lifecycle
    /// failure is reported twice: told directly by the processor, then as the frame pushed upstream).
    /// </summary>
    public bool TryRecordFatal(ErrorFrame error) => Interlocked.CompareExchange(ref _fatalError, error, null) != error;

    /// <summary>Notes a frame that reached the end of the pipeline.</summary>
    public void OnFrameReachedEnd(Frame frame)
    {
        switch (frame)
        {
            case EndFrame:
                _endReached.TrySetResult(PipelineFinishReason.Ended);
                break;
            case StopFrame:
                _endReached.TrySetResult(PipelineFinishReason.Stopped);
                break;
            case CancelFrame:
                _endReached.TrySetResult(_stopRequested.Task.IsCompleted ? _stopRequested.Task.Result : PipelineFinishReason.Cancelled);
                break;
            default:
                break;
        }
    }

    /// <summary>Waits for the end to be reached or a stop to be requested, whichever comes first.</summary>
    /// <returns>The reason, and whether it was a stop request (whose cancel frame is then still on its way).</returns>
    public async Task<(PipelineFinishReason Reason, bool Stopped)> WaitAsync()
    {
        Task first = await Task.WhenAny(_endReached.Task, _stopRequested.Task).ConfigureAwait(false);
        return first == _endReached.Task
            ? (await _endReached.Task.ConfigureAwait(false), false)
            : (await _stopRequested.Task.ConfigureAwait(false), true);
    }
}
