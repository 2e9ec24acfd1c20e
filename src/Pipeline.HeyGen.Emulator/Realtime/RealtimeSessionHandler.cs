using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>
/// Serves one accepted realtime websocket of an emulated session, the way the reference note describes HeyGen's:
/// reports <c>session.state_updated</c> connecting then connected, records every client message, feeds
/// <c>agent.speak</c> audio to the session's avatar (which answers with acknowledgements and speak/state events),
/// answers bad input with <c>error</c> events, closes with 1009 above the 1 MB message limit, and applies the session's
/// <see cref="RealtimeFaults"/>. Stateless apart from its logger: one instance serves every session.
/// </summary>
/// <remarks>
/// Plugging it into a host: create one <see cref="RealtimeSessionContext"/> per session (at <c>streaming.new</c>), check
/// <c>session_id</c>/<c>session_token</c> on the upgrade, accept the socket and call <see cref="HandleAsync"/>; call
/// <see cref="RealtimeSessionContext.RecordActivity"/> from the REST keep-alive and
/// <see cref="RealtimeSessionContext.CloseSession"/> from the REST stop. <see cref="RealtimeTestServer"/> is a complete
/// example.
/// </remarks>
public sealed class RealtimeSessionHandler
{
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    public RealtimeSessionHandler(ILogger<RealtimeSessionHandler>? logger = null) =>
        _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>
    /// Serves <paramref name="socket"/> until the client closes it, a fault drops it, or the session ends. The caller
    /// has already checked the session id and token. If the socket is <see cref="WebSocketState.Aborted"/> afterwards
    /// (an injected drop), the host should abort the HTTP connection too.
    /// </summary>
    public async Task HandleAsync(WebSocket socket, RealtimeSessionContext session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(session);
        var connection = session.Attach(socket, cancellationToken);
        if (connection is null)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "session closed", cancellationToken).ConfigureAwait(false);
            return;
        }

        RealtimeEmulatorLog.Accepted(_logger, connection.Index, session.SessionId);
        try
        {
            for (var i = 0; i < session.Faults.MalformedMessagesOnConnect; i++) connection.Send("{\"type\": \"agent.speak_started\", ");
            for (var i = 0; i < session.Faults.UnknownEventsOnConnect; i++)
                connection.Send($"{{\"type\":\"emulator.unknown_event\",\"event_id\":\"{Guid.NewGuid()}\",\"detail\":{i}}}");
            connection.Send(RealtimeServerMessages.SessionStateUpdated("connecting"));
            ReportConnected(connection, session, cancellationToken);
            await ReceiveAsync(socket, connection, session, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            session.Detach(connection);
            if (socket.State != WebSocketState.Aborted) await connection.CompleteAsync().ConfigureAwait(false);
            RealtimeEmulatorLog.Ended(_logger, connection.Index, session.SessionId, socket.State);
        }
    }

    private static void ReportConnected(RealtimeServerConnection connection, RealtimeSessionContext session, CancellationToken cancellationToken)
    {
        if (!session.Options.SendConnectedState)
        {
            // LITE-like: never says connected, but takes audio anyway.
            connection.IsConnected = true;
            return;
        }

        if (session.Options.ConnectedDelay <= TimeSpan.Zero)
        {
            connection.IsConnected = true;
            connection.Send(RealtimeServerMessages.SessionStateUpdated("connected"));
            return;
        }

        _ = Task.Delay(session.Options.ConnectedDelay, session.TimeProvider, cancellationToken).ContinueWith(
            _ =>
            {
                connection.IsConnected = true;
                connection.Send(RealtimeServerMessages.SessionStateUpdated("connected"));
            },
            CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task ReceiveAsync(WebSocket socket, RealtimeServerConnection connection, RealtimeSessionContext session, CancellationToken cancellationToken)
    {
        var limit = session.Options.MaxMessageBytes;
        var buffer = new byte[64 * 1024];
        var count = 0;
        var received = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length) Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit + 1));
                var result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    connection.Close(WebSocketCloseStatus.NormalClosure, "bye");
                    return;
                }

                count += result.Count;
                if (count > limit)
                {
                    RealtimeEmulatorLog.MessageTooBig(_logger, session.SessionId, limit);
                    connection.Close(WebSocketCloseStatus.MessageTooBig, "message exceeds the 1 MB limit");
                    return;
                }

                if (!result.EndOfMessage) continue;
                var text = Encoding.UTF8.GetString(buffer, 0, count);
                count = 0;
                session.RecordActivity();
                Dispatch(text, connection, session);
                if (session.Faults.ConsumeDrop(++received))
                {
                    RealtimeEmulatorLog.Dropping(_logger, session.SessionId, connection.Index);
                    socket.Abort();
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            RealtimeEmulatorLog.Failed(_logger, session.SessionId, connection.Index, ex.Message);
        }
    }

    private static void Dispatch(string text, RealtimeServerConnection connection, RealtimeSessionContext session)
    {
        var now = session.TimeProvider.GetUtcNow();
        string? type, eventId;
        byte[]? audio = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
                throw new JsonException("not an object with a string 'type'");
            type = typeElement.GetString()!;
            eventId = root.TryGetProperty("event_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            if (root.TryGetProperty("audio", out var audioElement) && audioElement.ValueKind == JsonValueKind.String)
            {
                if (!audioElement.TryGetBytesFromBase64(out audio))
                {
                    session.Recorder.Record(connection.Index, type, eventId, null, text, now);
                    connection.Send(RealtimeServerMessages.Error("invalid_request_error", "'audio' is not valid base64", eventId));
                    return;
                }
            }
        }
        catch (JsonException ex)
        {
            session.Recorder.Record(connection.Index, RecordedClientEvent.Malformed, null, null, text, now);
            connection.Send(RealtimeServerMessages.Error("invalid_request_error", "message is not a JSON event: " + ex.Message, null));
            return;
        }

        session.Recorder.Record(connection.Index, type, eventId, audio, text, now);
        switch (type)
        {
            case "agent.speak" or "agent.audio_buffer_append":
                if (audio is null)
                {
                    connection.Send(RealtimeServerMessages.Error("invalid_request_error", "'audio' is required", eventId));
                }
                else if (!connection.IsConnected && session.Options.RejectSpeakBeforeConnected)
                {
                    connection.Send(RealtimeServerMessages.Error("invalid_request_error", "the session is not connected yet", eventId));
                }
                else
                {
                    // The older generation has no event id per utterance: its buffer is one running utterance.
                    session.Avatar.Speak(eventId ?? "audio_buffer", audio.Length);
                    if ((audio.Length & 1) == 0)
                    {
                        session.MediaAvatar?.AppendSpeech(eventId ?? "audio_buffer", audio);
                    }
                }

                break;
            case "agent.speak_end" or "agent.audio_buffer_commit":
                session.Avatar.SpeakEnd(eventId ?? "audio_buffer");
                session.MediaAvatar?.EndSpeech(eventId ?? "audio_buffer");
                break;
            case "agent.interrupt" or "agent.audio_buffer_clear":
                session.Avatar.Interrupt(eventId);
                session.MediaAvatar?.Interrupt();
                break;
            case "agent.start_listening":
                session.Avatar.StartListening();
                session.MediaAvatar?.SetListening(true);
                break;
            case "agent.stop_listening" or "agent.end_listening":
                session.Avatar.StopListening();
                session.MediaAvatar?.SetListening(false);
                break;
            case "session.keep_alive":
                // Activity was recorded above; that is all a keep-alive does.
                break;
            default:
                connection.Send(RealtimeServerMessages.Error("invalid_request_error", $"unknown event type '{type}'", eventId));
                break;
        }
    }
}
