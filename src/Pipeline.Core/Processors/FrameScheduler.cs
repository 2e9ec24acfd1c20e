using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Processors;

/// <summary>
/// The two queues of a processor and the tasks that drain them (plus the background tasks the processor owns).
/// </summary>
/// <remarks>
/// Data and control frames go through an unbounded channel whose downstream entries are limited by a semaphore of
/// QueueCapacity credits (upstream entries take no credit, so two neighbours pushing at each other can never deadlock
/// on full queues). System frames go through their own channel and are processed at once by a second task.
///
/// Each queued frame is stamped, under one lock, with the interruption epoch and the number of system frames queued
/// before it. An interruption starts a new epoch: queued frames of an older epoch are skipped when read (unless
/// uninterruptible) and the token of the frame in flight is cancelled. A data frame waits until every system frame
/// queued before it has been processed, which keeps Pipecat's ordering guarantee (a frame pushed after a StartFrame or
/// an InterruptionFrame is processed after it) while letting system frames overtake.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "Ended by StopAsync (the processor's DisposeAsync), which disposes the epoch; the token sources and the semaphore " +
    "hold no native handle and late pushers may still touch them, so they are left to the garbage collector.")]
internal sealed partial class FrameScheduler
{
    private readonly IFrameSchedulerHost _host;
    private readonly int _capacity;
    private readonly Lock _queueLock = new();
    private readonly List<Task> _ownedTasks = [];
    private readonly Channel<QueuedFrame> _dataChannel;
    private readonly Channel<QueuedFrame> _systemChannel;
    private readonly SemaphoreSlim _credits;
    private readonly CancellationTokenSource _dataCts;
    private readonly CancellationTokenSource _lifetimeCts;
    private readonly TaskCompletionSource _started;
    private InterruptionEpoch _epoch;
    private TaskTracker? _tracker;
    private Task? _dataLoop;
    private Task? _systemLoop;
    private TaskCompletionSource? _systemWaiter;
    private long _systemQueued;
    private long _systemProcessed;
    private long _droppedByInterruption;
    private bool _schedulingStopped;
    private Action<ErrorFrame>? _onFatalError;

    /// <summary>Cancelled when the processor is cancelled (<see cref="CancelFrame"/>) or disposed.</summary>
    public CancellationToken LifetimeToken => _dataCts.Token;

    /// <summary>Frames discarded from this processor's queue by interruptions (for diagnostics and tests).</summary>
    public long DroppedByInterruption => Interlocked.Read(ref _droppedByInterruption);

    /// <summary>Downstream data/control frames waiting in this processor's queue (at most the queue capacity).</summary>
    public int QueuedFrameCount => _capacity - _credits.CurrentCount;

    public FrameScheduler(IFrameSchedulerHost host, int capacity)
    {
        _host = host;
        _capacity = capacity;
        _dataChannel = Channel.CreateUnbounded<QueuedFrame>(new UnboundedChannelOptions { SingleReader = true });
        _systemChannel = Channel.CreateUnbounded<QueuedFrame>(new UnboundedChannelOptions { SingleReader = true });
        _credits = new SemaphoreSlim(capacity, capacity);
        _dataCts = new CancellationTokenSource();
        _lifetimeCts = new CancellationTokenSource();
        _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _epoch = new InterruptionEpoch(0, CancellationTokenSource.CreateLinkedTokenSource(_dataCts.Token));
    }

    /// <summary>Takes the run's task tracker and, for a queueing processor, starts the two loops.</summary>
    public void Start(TaskTracker tracker, Action<ErrorFrame>? onFatalError, bool usesQueues)
    {
        _tracker = tracker;
        _onFatalError = onFatalError;
        if (!usesQueues || _dataLoop is not null)
        {
            return;
        }

        _systemLoop = tracker.Run($"{_host.Name}.system", _ => RunSystemLoopAsync(), CancellationToken.None);
        _dataLoop = tracker.Run($"{_host.Name}.process", _ => RunDataLoopAsync(), CancellationToken.None);
    }

    /// <summary>Queues a frame: system frames on their own channel, others on the data channel (downstream ones take a credit).</summary>
    public ValueTask Enqueue(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (frame is SystemFrame)
        {
            EnqueueSystemFrame(frame, direction);
            return default;
        }

        if (direction == FrameDirection.Upstream || _credits.Wait(0, CancellationToken.None))
        {
            WriteData(frame, direction);
            return default;
        }

        return EnqueueWhenQueueHasRoomAsync(frame, direction, cancellationToken);
    }

    private async ValueTask EnqueueWhenQueueHasRoomAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _dataCts.Token);
        try
        {
            await _credits.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A push takes the frame's pooled buffer reference even when it fails: the frame goes nowhere, so it is released here.
            if (_dataCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Dropped(frame, "processor cancelled", "cancelled");
                frame.Release();
                return;
            }

            frame.Release();
            throw;
        }

        WriteData(frame, direction);
    }

    private void WriteData(Frame frame, FrameDirection direction)
    {
        bool written;
        lock (_queueLock)
        {
            written = _dataChannel.Writer.TryWrite(new QueuedFrame(frame, direction, _epoch.Number, _systemQueued));
        }

        if (!written)
        {
            if (direction == FrameDirection.Downstream)
            {
                _credits.Release();
            }

            Dropped(frame, "processor has ended", "ended");
            frame.Release();
        }
    }

    private void EnqueueSystemFrame(Frame frame, FrameDirection direction)
    {
        InterruptionEpoch? interrupted = null;
        lock (_queueLock)
        {
            if (_schedulingStopped)
            {
                // Late frames (e.g. an interruption queued while the task shuts down) are ignored: the epoch they
                // would cancel is already disposed.
                Dropped(frame, "processor disposed", "disposed");
                frame.Release();
                return;
            }

            long sequence = ++_systemQueued;
            if (frame is InterruptionFrame)
            {
                interrupted = _epoch;
                _epoch = new InterruptionEpoch(interrupted.Number + 1, CancellationTokenSource.CreateLinkedTokenSource(_dataCts.Token));
            }

            _systemChannel.Writer.TryWrite(new QueuedFrame(frame, direction, _epoch.Number, sequence));
        }

        interrupted?.Interrupt();
        if (frame is CancelFrame)
        {
            _dataCts.Cancel();
            _dataChannel.Writer.TryComplete();
        }
    }

    private async Task RunSystemLoopAsync()
    {
        CancellationToken stop = _lifetimeCts.Token;
        try
        {
            ChannelReader<QueuedFrame> reader = _systemChannel.Reader;
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (reader.TryRead(out QueuedFrame item))
                {
                    if (item.Frame is StartFrame start && item.Direction == FrameDirection.Downstream)
                    {
                        _host.OnStarted(start);
                    }

                    // A CancelFrame cancels the work of the system frame in flight (e.g. a StartFrame still
                    // connecting) but not its own processing, which must be able to clean up.
                    CancellationToken token = item.Frame is CancelFrame ? stop : _dataCts.Token;
                    try
                    {
                        if (!await ProcessGuardedAsync(item, token, stop).ConfigureAwait(false))
                        {
                            return;
                        }
                    }
                    finally
                    {
                        if (item.Frame is StartFrame)
                        {
                            _started.TrySetResult();
                        }

                        Volatile.Write(ref _systemProcessed, item.SystemSequence);
                        Interlocked.Exchange(ref _systemWaiter, null)?.TrySetResult();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task RunDataLoopAsync()
    {
        CancellationToken stop = _dataCts.Token;
        try
        {
            await _started.Task.WaitAsync(stop).ConfigureAwait(false);
            ChannelReader<QueuedFrame> reader = _dataChannel.Reader;
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (reader.TryRead(out QueuedFrame item))
                {
                    if (item.Direction == FrameDirection.Downstream)
                    {
                        _credits.Release();
                    }

                    // Until the frame is handed to ProcessGuardedAsync, this loop holds its pooled buffer reference:
                    // a frame dropped by an interruption, or stranded by a stop while it waited, is released here.
                    bool handed = false;
                    try
                    {
                        if (item.SystemSequence > Volatile.Read(ref _systemProcessed))
                        {
                            await WaitForSystemFramesAsync(item.SystemSequence, stop).ConfigureAwait(false);
                        }

                        bool uninterruptible = item.Frame is IUninterruptibleFrame;
                        InterruptionEpoch epoch = Volatile.Read(ref _epoch);
                        if (!uninterruptible && item.Epoch != epoch.Number)
                        {
                            Interlocked.Increment(ref _droppedByInterruption);
                            _host.OnFrameDropped("interruption");
                            continue;
                        }

                        CancellationToken token = uninterruptible ? stop : epoch.Token;
                        handed = true;
                        if (!await ProcessGuardedAsync(item, token, stop).ConfigureAwait(false))
                        {
                            return;
                        }
                    }
                    finally
                    {
                        if (!handed)
                        {
                            item.Frame.Release();
                        }
                    }

                    if (item.Frame is EndFrame && item.Direction == FrameDirection.Downstream)
                    {
                        _dataChannel.Writer.TryComplete();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cancelled or disposed.
        }
    }

    // Processes one frame: cancellation of its token is an interruption, other exceptions become an ErrorFrame.
    // Returns false when the loop must stop (the processor was cancelled or disposed).
    // A pooled frame the processor neither pushed on nor retained is released once its processing ends (the ownership
    // rule in docs/frame-buffers.md): the push count tells whether it was passed on.
    private async ValueTask<bool> ProcessGuardedAsync(QueuedFrame item, CancellationToken token, CancellationToken stop)
    {
        bool pooled = item.Frame.PooledBuffer is not null;
        int pushes = pooled ? item.Frame.PushCount : 0;
        try
        {
            await _host.ProcessAsync(item.Frame, item.Direction, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            if (stop.IsCancellationRequested)
            {
                return false;
            }

            LogInterrupted(_host.Logger, _host.Name, item.Frame);
        }
        catch (Exception ex)
        {
            await ProcessingFailure.ReportAsync(_host, item.Frame, item.Direction, ex, _onFatalError).ConfigureAwait(false);
        }
        finally
        {
            if (pooled && item.Frame.PushCount == pushes)
            {
                item.Frame.Release();
            }
        }

        return true;
    }

    private async ValueTask WaitForSystemFramesAsync(long sequence, CancellationToken stop)
    {
        while (Volatile.Read(ref _systemProcessed) < sequence)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _systemWaiter, waiter);
            if (Volatile.Read(ref _systemProcessed) >= sequence)
            {
                return;
            }

            await waiter.Task.WaitAsync(stop).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a task owned by the processor: tracked, cancelled with it, awaited by <see cref="StopAsync"/>.</summary>
    public Task StartOwnedTask(string name, Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        TaskTracker tracker = _tracker ?? throw new InvalidOperationException(
            $"{_host.Name}: background tasks can only be started after SetupAsync.");
        CancellationToken token = _dataCts.Token;
        Task task = tracker.Run($"{_host.Name}.{name}", async ct =>
        {
            try
            {
                await work(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopped with the processor.
            }
            catch (Exception ex)
            {
                await _host.PushErrorAsync($"{_host.Name}: background task '{name}' failed: {ex.Message}", ex).ConfigureAwait(false);
            }
        }, token);
        lock (_ownedTasks)
        {
            _ownedTasks.RemoveAll(t => t.IsCompleted);
            _ownedTasks.Add(task);
        }

        return task;
    }

    /// <summary>Stops the loops and the owned tasks and waits for them (the processor's disposal).</summary>
    public async Task StopAsync()
    {
        lock (_queueLock)
        {
            _schedulingStopped = true;
        }

        _started.TrySetCanceled();
        _dataCts.Cancel();
        _lifetimeCts.Cancel();
        _dataChannel.Writer.TryComplete();
        _systemChannel.Writer.TryComplete();
        Task[] owned;
        lock (_ownedTasks)
        {
            owned = [.. _ownedTasks];
            _ownedTasks.Clear();
        }

        Task[] all = [.. owned, _dataLoop ?? Task.CompletedTask, _systemLoop ?? Task.CompletedTask];
        try
        {
            await Task.WhenAll(all).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _host.Logger.LogError(ex, "{Processor}: a task ended with an error during shutdown", _host.Name);
        }

        lock (_queueLock)
        {
            _epoch.Dispose();
        }

        // Both channels are completed and their readers have ended: frames still queued (after a CancelFrame, or behind
        // an EndFrame) go nowhere, so their pooled buffers are released here, once.
        ReleaseQueued(_dataChannel.Reader);
        ReleaseQueued(_systemChannel.Reader);

        // The semaphore holds no native handle (its wait handle is never created) and late pushers may still touch
        // it, so it is left to the garbage collector.
    }

    private static void ReleaseQueued(ChannelReader<QueuedFrame> reader)
    {
        while (reader.TryRead(out QueuedFrame item))
        {
            item.Frame.Release();
        }
    }

    private void Dropped(Frame frame, string why, string reason)
    {
        LogDropped(_host.Logger, _host.Name, frame, why);
        _host.OnFrameDropped(reason);
    }

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Processor}: dropped {Frame}: {Why}")]
    private static partial void LogDropped(ILogger logger, string processor, Frame frame, string why);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Processor}: {Frame} interrupted")]
    private static partial void LogInterrupted(ILogger logger, string processor, Frame frame);

    private readonly record struct QueuedFrame(Frame Frame, FrameDirection Direction, long Epoch, long SystemSequence);
}
