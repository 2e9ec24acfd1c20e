using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;

namespace Pipeline.Core.Tests.Support;

/// <summary>A running <see cref="PipelineTask"/> with the frames that reached its end recorded.</summary>
internal sealed class PipelineRun
{
    private readonly ConcurrentQueue<Frame> _atEnd = new();
    private readonly ConcurrentQueue<ErrorFrame> _errors = new();

    public PipelineRun(FrameProcessor pipeline, PipelineTaskOptions? options = null, TimeProvider? timeProvider = null)
    {
        Task = new PipelineTask(pipeline, options, timeProvider: timeProvider);
        Task.FrameReachedEnd += (_, frame) =>
        {
            _atEnd.Enqueue(frame);
            foreach (var (predicate, tcs) in _waiters)
            {
                if (predicate(frame))
                {
                    tcs.TrySetResult(frame);
                }
            }
        };
        Task.ErrorReceived += (_, error) => _errors.Enqueue(error);
    }

    private readonly ConcurrentBag<(Func<Frame, bool>, TaskCompletionSource<Frame>)> _waiters = [];

    public PipelineTask Task { get; }

    public Task<PipelineFinishReason>? Running { get; private set; }

    public IReadOnlyList<Frame> AtEnd => _atEnd.ToList();

    public IReadOnlyList<Frame> DataAtEnd => _atEnd.Where(f => f is not (StartFrame or EndFrame or CancelFrame or StopFrame)).ToList();

    public IReadOnlyList<ErrorFrame> Errors => _errors.ToList();

    /// <summary>Completes when a frame matching <paramref name="predicate"/> reaches the end (register before it can arrive).</summary>
    public Task<Frame> WhenAtEnd(Func<Frame, bool> predicate)
    {
        var tcs = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((predicate, tcs));
        Frame? already = _atEnd.FirstOrDefault(predicate);
        if (already is not null)
        {
            tcs.TrySetResult(already);
        }

        return tcs.Task.WaitAsync(TestTimeouts.Hang);
    }

    public PipelineRun Start(CancellationToken cancellationToken = default)
    {
        Running = Task.RunAsync(cancellationToken);
        return this;
    }

    public ValueTask Queue(params Frame[] frames) => Task.QueueFramesAsync(frames);

    public Task<PipelineFinishReason> Finished => Running!.WaitAsync(TestTimeouts.Hang);
}
