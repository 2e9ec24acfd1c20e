using Microsoft.Extensions.Logging;

namespace Pipeline.HeyGen.Realtime;

/// <summary>Log messages of the realtime client. Endpoints are always passed redacted (<see cref="RealtimeUrl.Redact"/>).</summary>
internal static partial class RealtimeLog
{
    [LoggerMessage(1, LogLevel.Information, "HeyGen realtime websocket connected to {Endpoint}")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(2, LogLevel.Debug, "HeyGen realtime event {Type} (event_id {EventId})")]
    public static partial void ServerEvent(ILogger logger, string type, string? eventId);

    [LoggerMessage(3, LogLevel.Debug, "HeyGen realtime event of unknown type {Type} ignored")]
    public static partial void UnknownEvent(ILogger logger, string? type);

    [LoggerMessage(4, LogLevel.Warning, "HeyGen realtime message of {Length} bytes is not a valid event ({Detail}); ignored ({Count} so far)")]
    public static partial void MalformedMessage(ILogger logger, int length, string? detail, long count);

    [LoggerMessage(5, LogLevel.Warning, "HeyGen realtime error {ErrorType} (code {Code}) for event {SourceEventId}: {Message}")]
    public static partial void ServerError(ILogger logger, string? errorType, string? code, string? sourceEventId, string? message);

    [LoggerMessage(6, LogLevel.Warning, "HeyGen realtime warning: {Message}")]
    public static partial void ServerWarning(ILogger logger, string? message);

    [LoggerMessage(7, LogLevel.Warning, "HeyGen realtime connection lost ({Reason}); reconnecting: {WillReconnect}")]
    public static partial void ConnectionLost(ILogger logger, string reason, bool willReconnect, Exception? exception);

    [LoggerMessage(8, LogLevel.Warning, "HeyGen realtime reconnect attempt {Attempt} of {MaxAttempts} failed: {Message}")]
    public static partial void ReconnectAttemptFailed(ILogger logger, int attempt, int maxAttempts, string message);

    [LoggerMessage(9, LogLevel.Information, "HeyGen realtime reconnected after {Attempts} attempt(s), {DowntimeMs} ms down")]
    public static partial void Reconnected(ILogger logger, int attempts, double downtimeMs);

    [LoggerMessage(10, LogLevel.Error, "HeyGen realtime client failed")]
    public static partial void Faulted(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Information, "HeyGen realtime session ended by the service ({Reason})")]
    public static partial void SessionEnded(ILogger logger, string reason);

    [LoggerMessage(12, LogLevel.Warning, "HeyGen realtime utterance {UtteranceId} was in flight when the connection dropped; {Bytes} bytes may not have played and the rest is not sent")]
    public static partial void AudioLost(ILogger logger, string utteranceId, long bytes);

    [LoggerMessage(13, LogLevel.Warning, "No session.state_updated 'connected' from HeyGen within {TimeoutMs} ms; assuming the session is ready")]
    public static partial void ReadyAssumed(ILogger logger, double timeoutMs);

    [LoggerMessage(14, LogLevel.Warning, "HeyGen keep-alive failed ({Count} failures so far)")]
    public static partial void KeepAliveFailed(ILogger logger, long count, Exception exception);

    [LoggerMessage(15, LogLevel.Debug, "HeyGen keep-alive skipped: the previous one is still running")]
    public static partial void KeepAliveSkipped(ILogger logger);

    [LoggerMessage(16, LogLevel.Error, "A HeyGen realtime event handler threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(17, LogLevel.Warning, "HeyGen realtime event {Type} dropped: nobody is reading events and the buffer is full")]
    public static partial void EventDropped(ILogger logger, string type);

    [LoggerMessage(18, LogLevel.Warning, "Connecting to HeyGen realtime endpoint {Endpoint} failed: {Message}")]
    public static partial void ConnectFailed(ILogger logger, string endpoint, string message);
}
