using Microsoft.Extensions.Logging;

namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>Log messages of the emulated realtime endpoint.</summary>
internal static partial class RealtimeEmulatorLog
{
    [LoggerMessage(1, LogLevel.Debug, "Realtime connection {Connection} of session {SessionId} accepted")]
    public static partial void Accepted(ILogger logger, int connection, string sessionId);

    [LoggerMessage(2, LogLevel.Debug, "Realtime connection {Connection} of session {SessionId} ended ({State})")]
    public static partial void Ended(ILogger logger, int connection, string sessionId, System.Net.WebSockets.WebSocketState state);

    [LoggerMessage(3, LogLevel.Warning, "Session {SessionId}: client message over {Limit} bytes; closing with 1009")]
    public static partial void MessageTooBig(ILogger logger, string sessionId, int limit);

    [LoggerMessage(4, LogLevel.Debug, "Session {SessionId}: dropping connection {Connection} (injected fault)")]
    public static partial void Dropping(ILogger logger, string sessionId, int connection);

    [LoggerMessage(5, LogLevel.Debug, "Session {SessionId}: connection {Connection} failed: {Message}")]
    public static partial void Failed(ILogger logger, string sessionId, int connection, string message);
}
