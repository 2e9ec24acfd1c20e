using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
}
