using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;

namespace Pipeline.Testing;

/// <summary>
/// A <see cref="PipelineTask"/> under test: records the frames that reach its end and the errors that reach its
/// start, waits for frames and conditions with a hang limit, pumps a fake clock, and reports how the run finished.
/// </summary>
/// <example>
/// <code>
/// await using var h = new PipelineHarness(new FramePipeline(new MyProcessor()));
/// await h.Start().QueueAsync(new TextFrame("hi"), new EndFrame());
/// PipelineFinish finish = await h.FinishAsync();
/// </code>
/// </example>
public sealed class PipelineHarness : IAsyncDisposable
{
    /// <summary>The default real-time limit of every wait: only a hang reaches it (20 s).</summary>
    public static readonly TimeSpan DefaultHang = TimeSpan.FromSeconds(20);

    private readonly ConcurrentQueue<Frame> _atEnd = new();
    private readonly ConcurrentQueue<ErrorFrame> _errors = new();
    private readonly ConcurrentQueue<(Func<Frame, bool> Predicate, TaskCompletionSource<Frame> Arrived)> _waiters = new();
    private int _framesReleased;

    /// <summary>Creates a task for <paramref name="pipeline"/> and watches it.</summary>
    /// <param name="pipeline">The processors under test (usually a <see cref="FramePipeline"/>).</param>
    /// <param name="options">The task's options.</param>
    /// <param name="clock">The task's clock; a <see cref="FakeTimeProvider"/> is also pumped by <see cref="FinishAsync"/>.</param>
    /// <param name="loggerFactory">The task's logging.</param>
    public PipelineHarness(FrameProcessor pipeline, PipelineTaskOptions? options = null, TimeProvider? clock = null, ILoggerFactory? loggerFactory = null)
        : this(new PipelineTask(pipeline, options, loggerFactory, clock), clock as FakeTimeProvider)
    {
    }

    /// <summary>Watches an existing task (before it runs).</summary>
    /// <param name="task">The task; its events are subscribed here, so create the harness before running it.</param>
    /// <param name="clock">The fake clock the task runs on, if any; <see cref="FinishAsync"/> pumps it.</param>
    public PipelineHarness(PipelineTask task, FakeTimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        Task = task;
        Clock = clock;
        Task.FrameReachedEnd += (_, frame) => OnFrameReachedEnd(frame);
        Task.ErrorReceived += (_, error) => _errors.Enqueue(error);
    }

    /// <summary>The task under test.</summary>
    public PipelineTask Task { get; }

    /// <summary>The fake clock the task runs on, if any.</summary>
    public FakeTimeProvider? Clock { get; }

    /// <summary>The real-time limit of every wait (default <see cref="DefaultHang"/>).</summary>
    public TimeSpan Hang { get; init; } = DefaultHang;

    /// <summary>How far <see cref="FinishAsync"/> may move <see cref="Clock"/> while waiting for the run to end (default 2 min).</summary>
    public TimeSpan FinishClockLimit { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The run, once <see cref="Start"/> was called.</summary>
    public Task<PipelineFinishReason>? Running { get; private set; }

    /// <summary>Every frame that reached the end of the pipeline downstream, in order.</summary>
    public IReadOnlyList<Frame> AtEnd => [.. _atEnd];

    /// <summary>The frames that reached the end, without start, end, stop and cancel frames.</summary>
    public IReadOnlyList<Frame> DataAtEnd => [.. _atEnd.Where(f => f is not (StartFrame or EndFrame or CancelFrame or StopFrame))];

    /// <summary>Every error that reached the task (fatal or not), in order.</summary>
    public IReadOnlyList<ErrorFrame> Errors => [.. _errors];

    /// <summary>The run, failing with <see cref="TimeoutException"/> if it does not end within <see cref="Hang"/>.</summary>
    public Task<PipelineFinishReason> Finished =>
        (Running ?? throw new InvalidOperationException("Call Start before waiting for the run to finish.")).WaitAsync(Hang);

    /// <summary>Starts the run (<see cref="PipelineTask.RunAsync"/>) without awaiting it.</summary>
    /// <returns>This harness, for chaining.</returns>
    public PipelineHarness Start(CancellationToken cancellationToken = default)
    {
        Running = Task.RunAsync(cancellationToken);
        return this;
    }

    /// <summary>Queues frames into the task, in order.</summary>
    public ValueTask QueueAsync(params Frame[] frames) => Task.QueueFramesAsync(frames);

    /// <summary>Completes when a frame matching <paramref name="predicate"/> has reached the end (already or later).</summary>
    public Task<Frame> WhenAtEnd(Func<Frame, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var arrived = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue((predicate, arrived));
        Frame? already = _atEnd.FirstOrDefault(predicate);
        if (already is not null)
        {
            arrived.TrySetResult(already);
        }

        return arrived.Task.WaitAsync(Hang);
    }

    /// <summary>Completes when a frame of type <typeparamref name="T"/> has reached the end (already or later).</summary>
    public async Task<T> WhenAtEnd<T>()
        where T : Frame => (T)await WhenAtEnd(f => f is T).ConfigureAwait(false);

    /// <summary>Waits in real time (without moving the clock) until the condition holds.</summary>
    public Task WaitUntilAsync(Func<bool> condition, string what) => FakeClockPump.WaitUntilAsync(condition, what, Hang);

    /// <summary>Moves <see cref="Clock"/> forward in steps (default 20 ms) until the condition holds, at most <paramref name="limit"/>.</summary>
    public Task AdvanceUntilAsync(Func<bool> condition, TimeSpan limit, string what, TimeSpan? step = null) =>
        FakeClockPump.AdvanceUntilAsync(RequireClock(), condition, limit, what, step ?? TimeSpan.FromMilliseconds(20), Hang);

    /// <summary>Moves <see cref="Clock"/> forward by <paramref name="duration"/> in steps (default 20 ms).</summary>
    public Task AdvanceAsync(TimeSpan duration, TimeSpan? step = null) =>
        FakeClockPump.AdvanceAsync(RequireClock(), duration, step ?? TimeSpan.FromMilliseconds(20));

    /// <summary>
    /// Waits for the run to end (moving <see cref="Clock"/>, if any, since closing may wait on it) and reports how it
    /// ended, without throwing what the run threw.
    /// </summary>
    /// <exception cref="TimeoutException">The run did not end within <see cref="Hang"/> (or the clock limit).</exception>
    public async Task<PipelineFinish> FinishAsync()
    {
        Task<PipelineFinishReason> running = Running ?? throw new InvalidOperationException("Call Start before finishing the run.");
        if (Clock is not null)
        {
            await FakeClockPump.AdvanceUntilAsync(Clock, () => running.IsCompleted, FinishClockLimit, "the pipeline run ending", TimeSpan.FromMilliseconds(100), Hang)
                .ConfigureAwait(false);
        }

        try
        {
            PipelineFinishReason reason = await running.WaitAsync(Hang).ConfigureAwait(false);
            return Outcome(reason, null, null);
        }
        catch (PipelineException failed)
        {
            return Outcome(PipelineFinishReason.Failed, failed.Error, failed);
        }
        catch (OperationCanceledException cancelled)
        {
            return Outcome(PipelineFinishReason.Cancelled, null, cancelled);
        }
        catch (Exception other) when (other is not TimeoutException)
        {
            // E.g. a processor's SetupAsync threw: the run failed before it started.
            return Outcome(PipelineFinishReason.Failed, null, other);
        }
    }

    /// <summary>
    /// Cancels the run if it is still running, waits for it, and disposes the task. The frames recorded in
    /// <see cref="AtEnd"/> give back their pooled buffers then (read their pixels before).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Running is { IsCompleted: false })
        {
            Task.Cancel();
            try
            {
                await FinishAsync().ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The test is already failing on what hung; disposal only cleans up.
            }
        }

        await Task.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _framesReleased, 1) == 0)
        {
            foreach (Frame frame in _atEnd)
            {
                frame.Release();
            }
        }
    }

    private PipelineFinish Outcome(PipelineFinishReason reason, ErrorFrame? fatal, Exception? exception)
    {
        // One snapshot, so the count and the names agree.
        IReadOnlyList<string> names = [.. Task.RunningTaskNames];
        return new PipelineFinish(reason, fatal, exception, names.Count, names);
    }

    private void OnFrameReachedEnd(Frame frame)
    {
        // The end of the pipeline releases the frame after this handler: a pooled frame keeps a reference here so a test
        // can read its pixels, given back when the harness is disposed.
        frame.Retain();
        _atEnd.Enqueue(frame);
        foreach ((Func<Frame, bool> predicate, TaskCompletionSource<Frame> arrived) in _waiters)
        {
            if (!arrived.Task.IsCompleted && predicate(frame))
            {
                arrived.TrySetResult(frame);
            }
        }
    }

    private FakeTimeProvider RequireClock() =>
        Clock ?? throw new InvalidOperationException("This harness has no fake clock: pass a FakeTimeProvider when creating it.");
}
