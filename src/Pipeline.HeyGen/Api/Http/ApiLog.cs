using Microsoft.Extensions.Logging;

namespace Pipeline.HeyGen.Api.Http;

/// <summary>The REST clients' log messages (source-generated). None of them takes a token or key.</summary>
internal static partial class ApiLog
{
    [LoggerMessage(Level = LogLevel.Trace, Message = "{Service} {Method} {Path} (session {SessionId})")]
    public static partial void Sending(ILogger logger, string service, HttpMethod method, string path, string sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service} {Operation} answered HTTP {Status} in {ElapsedMs} ms after {Attempts} attempt(s)")]
    public static partial void Answered(ILogger logger, string service, string operation, int status, long elapsedMs, int attempts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service} {Operation} cancelled by the caller")]
    public static partial void Cancelled(ILogger logger, string service, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    public static partial void CallFailed(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} {Operation} attempt {Attempt} failed ({Reason}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string service, string operation, int attempt, string reason, long delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} session {SessionId} created")]
    public static partial void SessionCreated(ILogger logger, string service, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} session {SessionId} started")]
    public static partial void SessionStarted(ILogger logger, string service, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} session {SessionId} stopped ({Reason})")]
    public static partial void SessionStopped(ILogger logger, string service, string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service} session {SessionId} kept alive")]
    public static partial void KeptAlive(ILogger logger, string service, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} session {SessionId} failed to start; stopping it so it is not left open")]
    public static partial void StoppingAfterFailedStart(ILogger logger, string service, string sessionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Service} session {SessionId} could not be stopped after a failed start and may stay open until it times out: {Error}")]
    public static partial void CleanupFailed(ILogger logger, string service, string sessionId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} closing leaked session {SessionId} (status {Status}, created {CreatedAt})")]
    public static partial void ClosingLeaked(ILogger logger, string service, string sessionId, string status, DateTimeOffset? createdAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} session {SessionId} was opened by an answer that came after the caller gave up; closing it")]
    public static partial void LateAnswerOpenedSession(ILogger logger, string service, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Message}")]
    public static partial void CancelledCreateSettled(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Message}")]
    public static partial void CreateMayHaveLeaked(ILogger logger, string message);
}
