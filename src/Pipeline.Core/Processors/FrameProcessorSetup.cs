using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Frames;
using Pipeline.Core.Observers;

namespace Pipeline.Core.Processors;

/// <summary>What a processor receives from the task that runs it before the first frame.</summary>
public sealed class FrameProcessorSetup
{
    /// <summary>Creates a setup context.</summary>
    public FrameProcessorSetup(
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        TaskTracker? tasks = null,
        IReadOnlyList<IFrameObserver>? observers = null)
    {
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Tasks = tasks ?? new TaskTracker();
        Observers = observers ?? [];
    }

    /// <summary>Creates the processors' loggers.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The clock for everything timed (timeouts, metrics, pacing).</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Tracks every task the processors start, so that a finished run can prove none is left running.</summary>
    public TaskTracker Tasks { get; }

    /// <summary>Observers told about every frame a processor pushes.</summary>
    public IReadOnlyList<IFrameObserver> Observers { get; }

    /// <summary>
    /// Creates the processors' meters (e.g. the one a host's DI container provides); null for the process-wide meters.
    /// Meter names are listed in <see cref="Diagnostics.CoreTelemetry"/>.
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Told about every frame a processor pushes, synchronously (the runner's idle-activity probe); must be cheap.</summary>
    internal Action<Frame>? OnFramePushed { get; init; }

    /// <summary>
    /// Told at once about a fatal error a processor cannot push upstream reliably (a lifecycle frame it failed to pass
    /// on), so the runner ends the run even if the error frame is lost in the shutdown it starts.
    /// </summary>
    internal Action<ErrorFrame>? OnFatalError { get; init; }
}
