using Microsoft.Extensions.Logging;
using Pipeline.Core.Pipelines;

namespace Pipeline.Testing;

/// <summary>Options of <see cref="FrameProcessorTester.RunAsync"/>.</summary>
public sealed class FrameProcessorTesterOptions
{
    /// <summary>Options for the underlying <see cref="PipelineTask"/> (sample rates, interruptions, metrics).</summary>
    public PipelineTaskOptions? TaskOptions { get; init; }

    /// <summary>Clock for the run; e.g. a fake one so nothing sleeps.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Logging for the run.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Leave start, end, stop and cancel frames out of the result (default true).</summary>
    public bool IgnoreLifecycleFrames { get; init; } = true;

    /// <summary>Throw the <see cref="PipelineException"/> of a fatal error instead of returning it (default false).</summary>
    public bool ThrowOnFatalError { get; init; }
}
