using System.Threading.Channels;
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
/// <remarks>A task runs once.</remarks>
public sealed partial class PipelineTask : IAsyncDisposable
{
    private readonly FrameProcessor _pipeline;
    private readonly PipelineTaskOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TaskHead _head;
    private readonly TaskTail _tail;
    private readonly TaskTracker _tracker = new();
    private readonly Channel<Frame> _pending = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource<PipelineFinishReason> _endReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<PipelineFinishReason> _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ErrorFrame? _fatalError;
    private int _state; // 0 = new, 1 = running, 2 = finished
    private long _lastActivity;
    private ITimer? _idleTimer;

    /// <summary>Creates a task for <paramref name="pipeline"/> (any processor, usually a <see cref="FramePipeline"/>).</summary>
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
        _head = new TaskHead(this);
        _tail = new TaskTail(this);
        _head.Link(pipeline).Link(_tail);
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
    public bool HasFinished => Volatile.Read(ref _state) == 2;

    /// <summary>Tasks started by the pipeline's processors that are still running (0 once the run has finished).</summary>
    public int RunningTaskCount => _tracker.ActiveCount;

    /// <summary>Names of the tasks still running, for diagnostics.</summary>
    public IReadOnlyCollection<string> RunningTaskNames => _tracker.ActiveTaskNames;

    /// <summary>
    /// Queues a frame into the pipeline, downstream. Frames queued before <see cref="RunAsync"/> are sent after the
    /// <see cref="StartFrame"/>; system frames queued while running go in at once.
    /// </summary>
    public ValueTask QueueFrameAsync(Frame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame is SystemFrame && Volatile.Read(ref _state) == 1)
        {
            return _head.SendAsync(frame, cancellationToken);
        }

        if (!_pending.Writer.TryWrite(frame))
        {
            LogDroppedAfterFinish(_logger, frame.Name);
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
    public async Task<PipelineFinishReason> RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("A pipeline task runs only once.");
        }

        PipelineFinishReason reason = PipelineFinishReason.Cancelled;
        using var feederCts = new CancellationTokenSource();
        try
        {
            var setup = new FrameProcessorSetup(_loggerFactory, _timeProvider, _tracker, _options.Observers);
            await _head.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
            await _pipeline.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
            await _tail.SetupAsync(setup, cancellationToken).ConfigureAwait(false);

            MarkActivity();
            StartIdleTimer();
            await _head.SendAsync(CreateStartFrame(), cancellationToken).ConfigureAwait(false);
            _ = _tracker.Run("PipelineTask.feeder", FeedAsync, feederCts.Token);
            Raise(PipelineStarted, EventArgs.Empty);

            using (cancellationToken.Register(static s => ((PipelineTask)s!).RequestStop(PipelineFinishReason.Cancelled), this))
            {
                Task first = await Task.WhenAny(_endReached.Task, _stopRequested.Task).ConfigureAwait(false);
                if (first == _endReached.Task)
                {
                    reason = await _endReached.Task.ConfigureAwait(false);
                }
                else
                {
                    reason = await _stopRequested.Task.ConfigureAwait(false);
                    await WaitForCancelToReachEndAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await feederCts.CancelAsync().ConfigureAwait(false);
            _pending.Writer.TryComplete();
            await ShutDownAsync().ConfigureAwait(false);
            Volatile.Write(ref _state, 2);
        }

        ErrorFrame? fatal = Volatile.Read(ref _fatalError);
        if (fatal is not null)
        {
            reason = PipelineFinishReason.Failed;
        }

        Raise(PipelineFinished, new PipelineFinishedEventArgs(reason, fatal));
        if (fatal is not null)
        {
            throw new PipelineException(fatal);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return reason;
    }

    /// <summary>Cancels the run if it is running, and waits for nothing else; the run itself cleans up.</summary>
    public ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) == 1)
        {
            Cancel();
        }

        _pending.Writer.TryComplete();
        return default;
    }

    private StartFrame CreateStartFrame() => new()
    {
        AudioInSampleRate = _options.AudioInSampleRate,
        AudioOutSampleRate = _options.AudioOutSampleRate,
        AllowInterruptions = _options.AllowInterruptions,
        EnableMetrics = _options.EnableMetrics,
        EnableUsageMetrics = _options.EnableUsageMetrics,
        ReportOnlyInitialTtfb = _options.ReportOnlyInitialTtfb,
    };

    private async Task FeedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (Frame frame in _pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await _head.SendAsync(frame, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run finished; frames still queued are dropped with it.
        }
    }

    private void RequestStop(PipelineFinishReason reason)
    {
        if (Volatile.Read(ref _state) != 1 || !_stopRequested.TrySetResult(reason))
        {
            return;
        }

        LogStopping(_logger, reason);
        // Observers may make the push asynchronous, so it runs as a tracked task rather than on the caller's thread.
        _ = _tracker.Run(
            "PipelineTask.cancel",
            _ => _head.SendAsync(new CancelFrame { Reason = reason.ToString() }, CancellationToken.None).AsTask(),
            CancellationToken.None);
    }

    private async Task WaitForCancelToReachEndAsync()
    {
        try
        {
            await _endReached.Task.WaitAsync(_options.CancelTimeout, _timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogCancelTimeout(_logger, _options.CancelTimeout.TotalMilliseconds);
        }
    }

    private async Task ShutDownAsync()
    {
        if (_idleTimer is not null)
        {
            await _idleTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _head.DisposeAsync().ConfigureAwait(false);
        await _pipeline.DisposeAsync().ConfigureAwait(false);
        await _tail.DisposeAsync().ConfigureAwait(false);

        // The feeder observes its cancellation at its next await; give it that chance before counting.
        for (int i = 0; i < 100 && _tracker.ActiveCount > 0; i++)
        {
            await Task.Yield();
        }

        if (_tracker.ActiveCount > 0)
        {
            LogTasksLeft(_logger, _tracker.ActiveCount, string.Join(", ", _tracker.ActiveTaskNames));
        }
    }

    private void OnFrameReachedEnd(Frame frame)
    {
        if (_options.IsIdleActivity(frame))
        {
            MarkActivity();
        }

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

        Raise(FrameReachedEnd, frame);
    }

    private void OnFrameReachedStart(Frame frame)
    {
        if (_options.IsIdleActivity(frame))
        {
            MarkActivity();
        }

        if (frame is ErrorFrame error)
        {
            if (error.IsFatal)
            {
                LogFatal(_logger, error.ProcessorName ?? "?", error.Message);
                Interlocked.CompareExchange(ref _fatalError, error, null);
                RequestStop(PipelineFinishReason.Failed);
            }
            else
            {
                LogNonFatal(_logger, error.ProcessorName ?? "?", error.Message);
            }

            Raise(ErrorReceived, error);
        }
    }

    private void MarkActivity() => Volatile.Write(ref _lastActivity, _timeProvider.GetTimestamp());

    private void StartIdleTimer()
    {
        if (_options.IdleTimeout is { } idle)
        {
            _idleTimer = _timeProvider.CreateTimer(static s => ((PipelineTask)s!).CheckIdle(), this, idle, Timeout.InfiniteTimeSpan);
        }
    }

    private void CheckIdle()
    {
        TimeSpan idle = _options.IdleTimeout!.Value;
        TimeSpan quiet = _timeProvider.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (quiet < idle)
        {
            _idleTimer?.Change(idle - quiet, Timeout.InfiniteTimeSpan);
            return;
        }

        LogIdle(_logger, quiet.TotalMilliseconds);
        Raise(IdleTimeoutReached, EventArgs.Empty);
        if (_options.CancelOnIdleTimeout)
        {
            RequestStop(PipelineFinishReason.IdleTimeout);
        }
        else
        {
            MarkActivity();
            _idleTimer?.Change(idle, Timeout.InfiniteTimeSpan);
        }
    }

    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, ex);
        }
    }

    private void Raise(EventHandler? handler, EventArgs args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pipeline task finished; dropped {Frame} queued after the end")]
    private static partial void LogDroppedAfterFinish(ILogger logger, string frame);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline task stopping: {Reason}")]
    private static partial void LogStopping(ILogger logger, PipelineFinishReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cancellation did not reach the end of the pipeline within {TimeoutMs} ms; disposing processors anyway")]
    private static partial void LogCancelTimeout(ILogger logger, double timeoutMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} task(s) still running after the pipeline finished: {Names}")]
    private static partial void LogTasksLeft(ILogger logger, int count, string names);

    [LoggerMessage(Level = LogLevel.Error, Message = "Fatal error from {Processor}: {Message}")]
    private static partial void LogFatal(ILogger logger, string processor, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Error from {Processor}: {Message}")]
    private static partial void LogNonFatal(ILogger logger, string processor, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline idle for {QuietMs} ms")]
    private static partial void LogIdle(ILogger logger, double quietMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "A pipeline task event handler threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    /// <summary>Where frames enter the pipeline, and where upstream frames end.</summary>
    private sealed class TaskHead(PipelineTask owner) : FrameProcessor("PipelineTask::Head")
    {
        protected override bool UsesQueues => false;

        public ValueTask SendAsync(Frame frame, CancellationToken cancellationToken) =>
            PushFrameAsync(frame, FrameDirection.Downstream, cancellationToken);

        public override ValueTask QueueFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken = default)
        {
            if (direction == FrameDirection.Upstream)
            {
                owner.OnFrameReachedStart(frame);
                return default;
            }

            return PushFrameAsync(frame, direction, cancellationToken);
        }
    }

    /// <summary>Where downstream frames end, and where upstream frames would enter.</summary>
    private sealed class TaskTail(PipelineTask owner) : FrameProcessor("PipelineTask::Tail")
    {
        protected override bool UsesQueues => false;

        public override ValueTask QueueFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken = default)
        {
            if (direction == FrameDirection.Downstream)
            {
                owner.OnFrameReachedEnd(frame);
                return default;
            }

            return PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
