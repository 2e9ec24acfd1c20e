using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Diagnostics;
using Pipeline.Core.Frames;
using Pipeline.Core.Observers;

namespace Pipeline.Core.Processors;

/// <summary>
/// A stage of a pipeline. It receives frames from its neighbours, processes them in
/// <see cref="ProcessFrameAsync"/> and pushes frames on with <see cref="PushFrameAsync"/>.
/// </summary>
/// <remarks>
/// <para>
/// Scheduling (a <see cref="FrameScheduler"/> of its own): data and control frames are queued and processed strictly in order by the processor's own task, so a
/// slow processor never blocks its upstream neighbour beyond <see cref="FrameProcessorOptions.QueueCapacity"/>
/// downstream frames. System frames are processed at once by a second task, ahead of queued frames; they are
/// processed in order among themselves, and a data or control frame queued after a system frame waits until that
/// system frame has been processed. <see cref="ProcessFrameAsync"/> may therefore run for a system frame while it
/// also runs for a data frame: state touched by both must be safe for that.
/// </para>
/// <para>
/// Lifecycle: <see cref="StartFrame"/> starts processing; <see cref="EndFrame"/> ends the processor once it has been
/// processed (in order, after all preceding frames); <see cref="CancelFrame"/> cancels in-flight work at once and
/// discards queued frames; <see cref="InterruptionFrame"/> discards queued frames except
/// <see cref="IUninterruptibleFrame"/>s and cancels the token of the frame being processed.
/// </para>
/// <para>
/// An exception thrown by <see cref="ProcessFrameAsync"/> becomes a non-fatal <see cref="ErrorFrame"/> pushed
/// upstream, naming this processor. Use <see cref="PushErrorAsync"/> for fatal errors. An exception thrown while
/// handling a lifecycle frame (<see cref="StartFrame"/>, <see cref="EndFrame"/>, <see cref="StopFrame"/>,
/// <see cref="CancelFrame"/>) is fatal: the frame did not travel on, so the run could not end cleanly without it.
/// </para>
/// <para>
/// A processor runs once, in one pipeline: linking it into a second pipeline, or setting it up again after its task
/// finished, throws <see cref="InvalidOperationException"/>.
/// </para>
/// </remarks>
public abstract partial class FrameProcessor : IAsyncDisposable, IFrameSchedulerHost
{
    private static long s_instances;
    private readonly FrameScheduler _scheduler;
    private IReadOnlyList<IFrameObserver> _observers = [];
    private Action<Frame>? _onPushed;
    private CoreMetrics _metrics = CoreMetrics.Default;
    private int _setUp;
    private int _disposed;

    /// <summary>Creates a processor.</summary>
    /// <param name="name">Name for logs; defaults to the type name with an instance number.</param>
    /// <param name="options">Queueing options.</param>
    protected FrameProcessor(string? name = null, FrameProcessorOptions? options = null)
    {
        Name = string.IsNullOrWhiteSpace(name) ? $"{GetType().Name}#{Interlocked.Increment(ref s_instances)}" : name;
        Options = options ?? FrameProcessorOptions.Default;
        Options.Validate();
        Logger = NullLogger.Instance;
        TimeProvider = TimeProvider.System;
        _scheduler = new FrameScheduler(this, Options.QueueCapacity);
    }

    /// <summary>Name for logs.</summary>
    public string Name { get; }

    /// <summary>Frames discarded from this processor's queue by interruptions (for diagnostics and tests).</summary>
    public long DroppedByInterruption => _scheduler.DroppedByInterruption;

    /// <summary>Downstream data/control frames waiting in this processor's queue (at most the queue capacity).</summary>
    public int QueuedFrameCount => _scheduler.QueuedFrameCount;

    /// <summary>
    /// False for processors that forward frames synchronously instead of queueing them (pipeline edges); such a
    /// processor overrides <see cref="QueueFrameAsync"/> and starts no tasks.
    /// </summary>
    protected virtual bool UsesQueues => true;

    /// <summary>Cancelled when the processor is cancelled (<see cref="CancelFrame"/>) or disposed.</summary>
    protected CancellationToken LifetimeToken => _scheduler.LifetimeToken;

    /// <summary>Queueing options.</summary>
    public FrameProcessorOptions Options { get; }

    /// <summary>The processor frames go to downstream, once linked.</summary>
    public FrameProcessor? Next { get; private set; }

    /// <summary>The processor frames go to upstream, once linked.</summary>
    public FrameProcessor? Previous { get; private set; }

    /// <summary>The settings of the <see cref="StartFrame"/> this processor was started with, once started.</summary>
    public StartFrame? StartSettings { get; private set; }

    /// <summary>Whether interruptions are allowed (from the <see cref="StartFrame"/>).</summary>
    public bool InterruptionsAllowed => StartSettings?.AllowInterruptions ?? false;

    /// <summary>Whether metrics are enabled (from the <see cref="StartFrame"/>).</summary>
    public bool MetricsEnabled => StartSettings?.EnableMetrics ?? false;

    /// <summary>The processor's logger (set up by <see cref="SetupAsync"/>).</summary>
    protected ILogger Logger { get; private set; }

    /// <summary>The clock for everything timed (set up by <see cref="SetupAsync"/>).</summary>
    protected TimeProvider TimeProvider { get; private set; }

    /// <summary>Creates the meters of the processor's package (set up by <see cref="SetupAsync"/>; null: process-wide meters).</summary>
    protected IMeterFactory? MeterFactory { get; private set; }

    /// <summary>Pipeline.Core's instruments for this run.</summary>
    internal CoreMetrics Metrics => _metrics;

    /// <summary>Links <paramref name="next"/> after this processor, in both directions.</summary>
    /// <returns><paramref name="next"/>, so links can be chained.</returns>
    /// <exception cref="InvalidOperationException">
    /// Either processor is already linked elsewhere (a processor belongs to one pipeline) or has already run.
    /// </exception>
    public FrameProcessor Link(FrameProcessor next)
    {
        ArgumentNullException.ThrowIfNull(next);
        ThrowIfRunOnce(next);
        ThrowIfRunOnce(this);
        if (next.Previous is { } previous && previous != this)
        {
            throw AlreadyLinked(next, "after", previous);
        }

        if (Next is { } current && current != next)
        {
            throw AlreadyLinked(this, "before", current);
        }

        Next = next;
        next.Previous = this;
        return next;
    }

    /// <summary>
    /// Prepares the processor to run: takes the logger, clock, task tracker and observers, and starts its tasks.
    /// Called once by the runner before the <see cref="StartFrame"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The processor was already set up, or has already run.</exception>
    public virtual Task SetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ThrowIfRunOnce(this);
        if (Interlocked.Exchange(ref _setUp, 1) != 0)
        {
            throw new InvalidOperationException(
                $"{Name} is already set up by a pipeline task. A processor runs in one task only: create a new instance for each task.");
        }

        Logger = setup.LoggerFactory.CreateLogger(GetType());
        TimeProvider = setup.TimeProvider;
        _observers = setup.Observers;
        _onPushed = setup.OnFramePushed;
        MeterFactory = setup.MeterFactory;
        _metrics = CoreMetrics.For(setup.MeterFactory);
        if (UsesQueues)
        {
            _metrics.TrackQueue(this);
        }

        _scheduler.Start(setup.Tasks, setup.OnFatalError, UsesQueues);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Hands a frame to this processor. System frames are handled at once; others are queued (waiting while
    /// <see cref="FrameProcessorOptions.QueueCapacity"/> downstream frames are already queued).
    /// </summary>
    public virtual ValueTask QueueFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return _scheduler.Enqueue(frame, direction, cancellationToken);
    }

    /// <summary>
    /// Processes one frame. The default pushes it on in the same direction; an override must push every frame it
    /// does not consume.
    /// </summary>
    /// <remarks>
    /// A frame with a pooled buffer (<see cref="Frame.PooledBuffer"/>) is readable during this call; if the override
    /// neither pushes it nor keeps it with <see cref="Frame.Retain"/>, the framework releases it when the call returns
    /// (docs/frame-buffers.md).
    /// </remarks>
    /// <param name="frame">The frame.</param>
    /// <param name="direction">Which way it travels.</param>
    /// <param name="cancellationToken">Cancelled when the frame's work is interrupted or the processor is cancelled.</param>
    protected virtual ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken) =>
        PushFrameAsync(frame, direction, cancellationToken);

    /// <summary>Pushes a frame to the next processor downstream or the previous one upstream.</summary>
    /// <remarks>
    /// A frame with a pooled buffer (<see cref="Frame.PooledBuffer"/>) hands its reference to the receiver, even when
    /// the push fails: after the push, touch the frame only if you took a reference with <see cref="Frame.Retain"/>
    /// first. Pushing one frame N times needs N - 1 extra references (docs/frame-buffers.md).
    /// </remarks>
    /// <param name="frame">The frame.</param>
    /// <param name="direction">Which way to send it.</param>
    /// <param name="cancellationToken">Cancels waiting for queue space; defaults to the processor's lifetime.</param>
    protected ValueTask PushFrameAsync(Frame frame, FrameDirection direction = FrameDirection.Downstream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame is ErrorFrame { ProcessorName: null } error)
        {
            error.ProcessorName = Name;
        }

        if (frame.PooledBuffer is not null)
        {
            frame.OnPushed(); // the frame's reference moves on with it (docs/frame-buffers.md)
        }

        _onPushed?.Invoke(frame);
        FrameProcessor? target = direction == FrameDirection.Downstream ? Next : Previous;
        if (_observers.Count != 0)
        {
            return PushObservedAsync(frame, direction, target, cancellationToken);
        }

        if (target is null)
        {
            frame.Release(); // nobody downstream to hand it to
            return default;
        }

        return target.QueueFrameAsync(frame, direction, cancellationToken.CanBeCanceled ? cancellationToken : LifetimeToken);
    }

    /// <summary>Pushes an <see cref="ErrorFrame"/> upstream, naming this processor.</summary>
    /// <param name="message">What went wrong; must not contain secrets.</param>
    /// <param name="exception">The cause, if any.</param>
    /// <param name="fatal">Whether the pipeline must stop.</param>
    protected ValueTask PushErrorAsync(string message, Exception? exception = null, bool fatal = false)
    {
        if (fatal)
        {
            Logger.LogError(exception, "{Processor}: fatal error: {Message}", Name, message);
        }
        else
        {
            Logger.LogWarning(exception, "{Processor}: error: {Message}", Name, message);
        }

        return PushFrameAsync(new ErrorFrame(message, exception, fatal) { ProcessorName = Name }, FrameDirection.Upstream);
    }

    /// <summary>
    /// Starts a background task owned by this processor: it is tracked, its token is cancelled when the processor is
    /// cancelled or disposed, disposal waits for it, and an exception it throws becomes an <see cref="ErrorFrame"/>.
    /// </summary>
    /// <param name="name">Name for diagnostics.</param>
    /// <param name="work">The work.</param>
    protected Task StartBackgroundTask(string name, Func<CancellationToken, Task> work) => _scheduler.StartOwnedTask(name, work);

    /// <summary>Releases what the processor holds. Called once, after its tasks have ended.</summary>
    protected virtual ValueTask CleanupAsync() => default;

    /// <summary>Stops the processor's tasks, waits for them, then runs <see cref="CleanupAsync"/>. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _scheduler.StopAsync().ConfigureAwait(false);
        _metrics.UntrackQueue(this);
        try
        {
            await CleanupAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "{Processor}: cleanup failed", Name);
        }

        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private async ValueTask PushObservedAsync(Frame frame, FrameDirection direction, FrameProcessor? target, CancellationToken cancellationToken)
    {
        var pushed = new FramePushed(this, target, frame, direction, TimeProvider.GetUtcNow());
        foreach (IFrameObserver observer in _observers)
        {
            try
            {
                await observer.OnFramePushedAsync(pushed, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Logger.LogWarning(ex, "{Processor}: observer {Observer} failed", Name, observer.GetType().Name);
            }
            catch (OperationCanceledException)
            {
                frame.Release(); // the push was cancelled before the frame reached anyone
                throw;
            }
        }

        if (target is null)
        {
            frame.Release();
            return;
        }

        await target.QueueFrameAsync(frame, direction, cancellationToken.CanBeCanceled ? cancellationToken : LifetimeToken).ConfigureAwait(false);
    }

    ILogger IFrameSchedulerHost.Logger => Logger;

    ValueTask IFrameSchedulerHost.ProcessAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken) =>
        ProcessFrameAsync(frame, direction, cancellationToken);

    void IFrameSchedulerHost.OnStarted(StartFrame start) => StartSettings = start;

    ValueTask IFrameSchedulerHost.PushAsync(Frame frame, FrameDirection direction) => PushFrameAsync(frame, direction, CancellationToken.None);

    ValueTask IFrameSchedulerHost.PushErrorAsync(string message, Exception exception) => PushErrorAsync(message, exception);

    void IFrameSchedulerHost.OnFrameDropped(string reason) => _metrics.FrameDropped(GetType().Name, reason);

    /// <summary>Throws unless this processor is free to join a new pipeline (not linked, never run).</summary>
    internal void ThrowIfNotFreeToLink()
    {
        ThrowIfRunOnce(this);
        if (Previous is { } previous)
        {
            throw AlreadyLinked(this, "after", previous);
        }

        if (Next is { } next)
        {
            throw AlreadyLinked(this, "before", next);
        }
    }

    private static InvalidOperationException AlreadyLinked(FrameProcessor processor, string where, FrameProcessor neighbour) =>
        new($"{processor.Name} is already linked {where} {neighbour.Name} (in another pipeline or task). A processor can " +
            "be in one pipeline only: create a new instance for each pipeline.");

    private static void ThrowIfRunOnce(FrameProcessor processor)
    {
        if (Volatile.Read(ref processor._disposed) != 0)
        {
            throw new InvalidOperationException(
                $"{processor.Name} has already run in a pipeline task that finished (it was disposed then). A processor " +
                "runs once: create a new instance for a new pipeline.");
        }
    }
}
