using Microsoft.Extensions.Logging;

namespace Pipeline.Core.Pipelines;

/// <summary>The log lines of <see cref="PipelineTask"/>.</summary>
internal static partial class PipelineTaskLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Pipeline task shutting down or finished; dropped {Frame} queued then")]
    internal static partial void LogDroppedAfterFinish(ILogger logger, string frame);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline task stopping: {Reason}")]
    internal static partial void LogStopping(ILogger logger, PipelineFinishReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cancellation did not reach the end of the pipeline within {TimeoutMs} ms; disposing processors anyway")]
    internal static partial void LogCancelTimeout(ILogger logger, double timeoutMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} task(s) still running after the pipeline finished: {Names}")]
    internal static partial void LogTasksLeft(ILogger logger, int count, string names);

    [LoggerMessage(Level = LogLevel.Error, Message = "The pipeline task's {What} did not end within {TimeoutMs} ms of the run ending; something ignores cancellation")]
    internal static partial void LogOwnTaskTimeout(ILogger logger, string what, double timeoutMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "The pipeline task's {What} failed")]
    internal static partial void LogOwnTaskFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(Level = LogLevel.Error, Message = "Fatal error from {Processor}: {Message}")]
    internal static partial void LogFatal(ILogger logger, string processor, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Error from {Processor}: {Message}")]
    internal static partial void LogNonFatal(ILogger logger, string processor, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "A pipeline task event handler threw")]
    internal static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
