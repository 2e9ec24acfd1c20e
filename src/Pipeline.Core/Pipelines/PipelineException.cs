using Pipeline.Core.Frames;

namespace Pipeline.Core.Pipelines;

/// <summary>A pipeline run ended because of a fatal error.</summary>
public sealed class PipelineException : Exception
{
    /// <summary>Creates the exception from the fatal <see cref="ErrorFrame"/> that ended the run.</summary>
    public PipelineException(ErrorFrame error)
        : base($"Pipeline stopped by a fatal error from {error?.ProcessorName ?? "an unknown processor"}: {error?.Message}", error?.Exception)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>The fatal error.</summary>
    public ErrorFrame Error { get; }
}

/// <summary>Why a pipeline run finished.</summary>
public enum PipelineFinishReason
{
    /// <summary>An <see cref="EndFrame"/> reached the end of the pipeline.</summary>
    Ended,

    /// <summary>A <see cref="StopFrame"/> reached the end of the pipeline.</summary>
    Stopped,

    /// <summary>The run was cancelled (a <see cref="CancelFrame"/>, or the run's token).</summary>
    Cancelled,

    /// <summary>A fatal <see cref="ErrorFrame"/> ended the run.</summary>
    Failed,

    /// <summary>Nothing happened for longer than the idle timeout.</summary>
    IdleTimeout,
}

/// <summary>Describes the end of a run.</summary>
/// <param name="Reason">Why it finished.</param>
/// <param name="Error">The fatal error, when <paramref name="Reason"/> is <see cref="PipelineFinishReason.Failed"/>.</param>
public sealed record PipelineFinishedEventArgs(PipelineFinishReason Reason, ErrorFrame? Error);
