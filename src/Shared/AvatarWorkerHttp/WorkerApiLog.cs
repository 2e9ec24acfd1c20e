using Microsoft.Extensions.Logging;

namespace Pipeline.AvatarWorkers.Http;

/// <summary>The provider clients' log messages (source-generated). None takes a key, a token or a response body.</summary>
internal static partial class WorkerApiLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider} {Operation}: {Method} {Path}")]
    public static partial void Sending(ILogger logger, string provider, string operation, HttpMethod method, string path);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider} {Operation} answered HTTP {Status} in {ElapsedMs} ms after {Attempts} attempt(s)")]
    public static partial void Answered(ILogger logger, string provider, string operation, int status, long elapsedMs, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} {Operation} attempt {Attempt} failed ({Reason}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string provider, string operation, int attempt, string reason, long delayMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Provider} {Operation} cancelled by the caller")]
    public static partial void Cancelled(ILogger logger, string provider, string operation);

    // The message is built from redacted parts only (WorkerApiTransport.Fail).
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    public static partial void Failed(ILogger logger, string message);
}
