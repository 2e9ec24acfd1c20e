using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.Core.Pipelines;

/// <summary>
/// Runs a pipeline: sets its processors up, sends the <see cref="StartFrame"/>, feeds it the frames queued from
/// outside, and supervises it until an <see cref="EndFrame"/> or <see cref="StopFrame"/> reaches the end, a
/// <see cref="CancelFrame"/> or fatal <see cref="ErrorFrame"/> stops it, the idle timeout passes, or the run's
/// token is cancelled. Every processor is then disposed and every task it started has ended.
/// </summary>
/// <remarks>
/// A task runs once, and its processors with it: a second <see cref="RunAsync"/>, a run after
/// <see cref="DisposeAsync"/>, or processors reused in another task throw <see cref="InvalidOperationException"/>.
/// When <see cref="RunAsync"/> returns, every task the run started has ended (<see cref="RunningTaskCount"/> is 0)
/// unless a processor ignored cancellation past <see cref="PipelineTaskOptions.CancelTimeout"/>, which is logged with
/// the tasks' names. Frames queued while the task shuts down, or after, are dropped (logged at debug level).
/// </remarks>
public sealed class PipelineTask : IAsyncDisposable
{
    private const int New = 0;
    private const int Running = 1;
    private const int Stopping = 2;
    private const int Finished = 3;
    private const int DisposedUnrun = 4;

    private readonly FrameProcessor _pipeline;
    private readonly PipelineTaskOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TaskHead _head;
    private readonly TaskTail _tail;
    private readonly TaskTracker _tracker = new();
    private readonly QueuedFrameFeeder _pending;
    private readonly RunEnding _ending = new();
    private readonly TaskCompletionSource _runEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stateLock = new();
    private int _state = New;
    private Task? _cancelPush;
    private IdleMonitor? _idle;

    /// <summary>Creates a task for <paramref name="pipeline"/> (any processor, usually a <see cref="FramePipeline"/>).</summary>
    /// <exception cref="InvalidOperationException">The pipeline is already linked into another task, or has already run.</exception>
    public PipelineTask(
        FrameProcessor pipeline,
        PipelineTaskOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
        _options = options ?? new PipelineTaskOptions();
        _options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<PipelineTask>();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _head = new TaskHead(OnFrameReachedStart);
        _tail = new TaskTail(OnFrameReachedEnd);
        _head.Link(pipeline).Link(_tail);
        _pending = new QueuedFrameFeeder(_head);
    }

    /// <summary>Raised once the <see cref="StartFrame"/> has been sent.</summary>
    public event EventHandler? PipelineStarted;

    /// <summary>Raised once the run has finished and every processor has been disposed.</summary>
    public event EventHandler<PipelineFinishedEventArgs>? PipelineFinished;

    /// <summary>Raised for every <see cref="ErrorFrame"/> that reaches the task (fatal or not).</summary>
    public event EventHandler<ErrorFrame>? ErrorReceived;

    /// <summary>Raised when no activity was seen for <see cref="PipelineTaskOptions.IdleTimeout"/>.</summary>
    public event EventHandler? IdleTimeoutReached;

    /// <summary>Raised for every frame that leaves the end of the pipeline downstream (from a processor's task).</summary>
    public event EventHandler<Frame>? FrameReachedEnd;

    /// <summary>Whether the run has finished.</summary>
    public bool HasFinished => Volatile.Read(ref _state) == Finished;

    /// <summary>Tasks started by the pipeline's processors that are still running (0 once the run has finished).</summary>
    public int RunningTaskCount => _tracker.ActiveCount;

    /// <summary>Names of the tasks still running, for diagnostics (one snapshot).</summary>
    public IReadOnlyCollection<string> RunningTaskNames => _tracker.ActiveTaskNames;

    /// <summary>
    /// Queues a frame into the pipeline, downstream. Frames queued before <see cref="RunAsync"/> are sent after the
    /// <see cref="StartFrame"/>; system frames queued while running go in at once. Frames queued once the task is
    /// shutting down or has finished are dropped (logged at debug level), never thrown at the caller.
    /// </summary>
    public ValueTask QueueFrameAsync(Frame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame is SystemFrame)
        {
            int state = Volatile.Read(ref _state);
            if (state == Running)
            {
                return _head.SendAsync(frame, cancellationToken);
            }

            if (state != New)
            {
                PipelineTaskLog.LogDroppedAfterFinish(_logger, frame.Name);
                frame.Release();
                return default;
            }
        }

        if (!_pending.TryQueue(frame))
        {
            PipelineTaskLog.LogDroppedAfterFinish(_logger, frame.Name);
            frame.Release();
        }

        return default;
    }

    /// <summary>Queues frames into the pipeline, in order.</summary>
    public async ValueTask QueueFramesAsync(IEnumerable<Frame> frames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        foreach (Frame frame in frames)
        {
            await QueueFrameAsync(frame, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Queues frames from an asynchronous source into the pipeline, in order.</summary>
    public async ValueTask QueueFramesAsync(IAsyncEnumerable<Frame> frames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        await foreach (Frame frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await QueueFrameAsync(frame, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cancels the run: a <see cref="CancelFrame"/> goes through the pipeline at once.</summary>
    public void Cancel() => RequestStop(PipelineFinishReason.Cancelled);

    /// <summary>
    /// Runs the pipeline until it finishes.
    /// </summary>
    /// <param name="cancellationToken">Cancelling it cancels the pipeline (a <see cref="CancelFrame"/>), then throws.</param>
    /// <returns>Why the run finished.</returns>
    /// <exception cref="PipelineException">A fatal <see cref="ErrorFrame"/> ended the run.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">The task has already run, is running, or was disposed.</exception>
    public async Task<PipelineFinishReason> RunAsync(CancellationToken cancellationToken = default)
    {
        switch (Interlocked.CompareExchange(ref _state, Running, New))
        {
            case New:
                break;
            case DisposedUnrun:
                throw new InvalidOperationException(
                    "This PipelineTask was disposed before it ran, and a disposed task cannot run: create a new PipelineTask (with new processor instances).");
            default:
                throw new InvalidOperationException(
                    "A PipelineTask runs once and this one has already been started: create a new PipelineTask (with new processor instances) for another run.");
        }

        try
        {
            return await RunOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _runEnded.TrySetResult();
        }
    }

    /// <summary>
    /// Cancels the run if it is running and waits until it has ended (every processor disposed). A task disposed
    /// before it ran can no longer run. Do not await this from inside the pipeline: the run waits for its processors.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_stateLock)
        {
            if (_state == New)
            {
                _state = DisposedUnrun;
                _pending.Close();
                _pending.ReleaseUnsent();
            }

            if (_state == DisposedUnrun)
            {
                return;
            }
        }

        Cancel();
        await _runEnded.Task.ConfigureAwait(false);
    }

    private async Task<PipelineFinishReason> RunOnceAsync(CancellationToken cancellationToken)
    {
        PipelineFinishReason reason = PipelineFinishReason.Cancelled;
        Task? feeder = null;
        using var feederCts = new CancellationTokenSource();
        try
        {
            _idle = IdleMonitor.Start(_options, _timeProvider, _logger, OnIdle);
            var setup = new FrameProcessorSetup(_loggerFactory, _timeProvider, _tracker, _options.Observers)
            {
                OnFramePushed = _idle is { } idle ? idle.OnFramePushed : null,
                OnFatalError = OnFatalError,
                MeterFactory = _options.MeterFactory,
            };
            await _head.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
            await _pipeline.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
            await _tail.SetupAsync(setup, cancellationToken).ConfigureAwait(false);

            await _head.SendAsync(_options.CreateStartFrame(), cancellationToken).ConfigureAwait(false);
            feeder = _tracker.Run("PipelineTask.feeder", _pending.FeedAsync, feederCts.Token);
            Raise(() => PipelineStarted?.Invoke(this, EventArgs.Empty));

            using (cancellationToken.Register(static s => ((PipelineTask)s!).RequestStop(PipelineFinishReason.Cancelled), this))
            {
                (reason, bool stopped) = await _ending.WaitAsync().ConfigureAwait(false);
                if (stopped)
                {
                    await WaitForCancelToReachEndAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            lock (_stateLock)
            {
                _state = Stopping;
            }

            await feederCts.CancelAsync().ConfigureAwait(false);
            _pending.Close();
            await AwaitBoundedAsync(feeder, "the feeder").ConfigureAwait(false);
            _pending.ReleaseUnsent();
            await ShutDownAsync().ConfigureAwait(false);
            Volatile.Write(ref _state, Finished);
        }

        ErrorFrame? fatal = _ending.FatalError;
        if (fatal is not null)
        {
            reason = PipelineFinishReason.Failed;
        }

        Raise(() => PipelineFinished?.Invoke(this, new PipelineFinishedEventArgs(reason, fatal)));
        if (fatal is not null)
        {
            throw new PipelineException(fatal);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return reason;
    }

    private void RequestStop(PipelineFinishReason reason)
    {
        // Under the state lock, so a stop requested while the run shuts down starts no push the run would not await.
        lock (_stateLock)
        {
            if (_state != Running || !_ending.TryRequestStop(reason))
            {
                return;
            }

            PipelineTaskLog.LogStopping(_logger, reason);
            // Observers may make the push asynchronous, so it runs as a tracked task rather than on the caller's thread.
            _cancelPush = _tracker.Run(
                "PipelineTask.cancel",
                _ => _head.SendAsync(new CancelFrame { Reason = reason.ToString() }, CancellationToken.None).AsTask(),
                CancellationToken.None);
        }
    }

    private async Task WaitForCancelToReachEndAsync()
    {
        try
        {
            await _ending.EndReached.WaitAsync(_options.CancelTimeout, _timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            PipelineTaskLog.LogCancelTimeout(_logger, _options.CancelTimeout.TotalMilliseconds);
        }
    }

    private async Task ShutDownAsync()
    {
        if (_idle is not null)
        {
            await _idle.DisposeAsync().ConfigureAwait(false);
        }

        await _head.DisposeAsync().ConfigureAwait(false);
        await _pipeline.DisposeAsync().ConfigureAwait(false);
        await _tail.DisposeAsync().ConfigureAwait(false);
        Task? cancelPush;
        lock (_stateLock)
        {
            cancelPush = _cancelPush;
        }

        await AwaitBoundedAsync(cancelPush, "the cancel push").ConfigureAwait(false);

        // One snapshot: the count logged is the number of names logged.
        string[] left = [.. _tracker.ActiveTaskNames];
        if (left.Length > 0)
        {
            PipelineTaskLog.LogTasksLeft(_logger, left.Length, string.Join(", ", left));
        }
    }

    // Waits for one of the task's own tasks; a processor or observer that ignores cancellation cannot hold the run
    // past the cancel timeout (it is then named in the "still running" log line).
    private async Task AwaitBoundedAsync(Task? task, string what)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.WaitAsync(_options.CancelTimeout, _timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            PipelineTaskLog.LogOwnTaskTimeout(_logger, what, _options.CancelTimeout.TotalMilliseconds);
        }
        catch (Exception ex)
        {
            PipelineTaskLog.LogOwnTaskFailed(_logger, ex, what);
        }
    }

    private void OnFrameReachedEnd(Frame frame)
    {
        _ending.OnFrameReachedEnd(frame);
        Raise(() => FrameReachedEnd?.Invoke(this, frame));
    }

    private void OnFrameReachedStart(Frame frame)
    {
        if (frame is ErrorFrame error)
        {
            if (error.IsFatal)
            {
                OnFatalError(error);
                return;
            }

            PipelineTaskLog.LogNonFatal(_logger, error.ProcessorName ?? "?", error.Message);
            Raise(() => ErrorReceived?.Invoke(this, error));
        }
    }

    // Reached twice for a lifecycle failure: told directly by the processor, then as the frame pushed upstream.
    private void OnFatalError(ErrorFrame error)
    {
        if (!_ending.TryRecordFatal(error))
        {
            return;
        }

        PipelineTaskLog.LogFatal(_logger, error.ProcessorName ?? "?", error.Message);
        RequestStop(PipelineFinishReason.Failed);
        Raise(() => ErrorReceived?.Invoke(this, error));
    }

    private void OnIdle()
    {
        Raise(() => IdleTimeoutReached?.Invoke(this, EventArgs.Empty));
        if (_options.CancelOnIdleTimeout)
        {
            RequestStop(PipelineFinishReason.IdleTimeout);
        }
    }

    // A user's event handler that throws must not break the run.
    private void Raise(Action invoke)
    {
        try
        {
            invoke();
        }
        catch (Exception ex)
        {
            PipelineTaskLog.LogHandlerFailed(_logger, ex);
        }
    }
}
