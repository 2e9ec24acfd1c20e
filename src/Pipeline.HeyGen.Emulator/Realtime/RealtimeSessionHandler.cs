using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>
/// Serves one accepted realtime websocket of an emulated session, the way the project's HeyGen reference describes the
/// service's: reports <c>session.state_updated</c> connecting then connected, records every client message, hands each
/// command to the session's one <see cref="Media.EmulatedAvatar"/> (whose playback events the session sends), answers
/// bad input with <c>error</c> events, closes with 1009 above the 1 MB message limit, and applies the session's
/// <see cref="SessionFaults"/>. Each client message type is handled in its own method below. Stateless apart from its
/// logger: one instance serves every session.
/// </summary>
internal sealed class RealtimeSessionHandler
{
    /// <summary>The utterance id of the older generation's audio buffer, which has no per-utterance id.</summary>
    private const string BufferUtterance = "audio_buffer";

    private readonly ILogger _logger;

    public RealtimeSessionHandler(ILogger? logger = null) => _logger = logger ?? NullLogger.Instance;

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
        session.RecordActivity(IdleActivityOf(type));
        switch (type)
        {
            // LiveAvatar LITE names (documented); the older Interactive realtime generation's audio_buffer_* names (alpha docs).
            case "agent.speak" or "agent.audio_buffer_append":
                OnSpeak(connection, session, eventId, audio);
                break;
            case "agent.speak_end" or "agent.audio_buffer_commit":
                OnSpeakEnd(connection, session, eventId);
                break;
            case "agent.interrupt" or "agent.audio_buffer_clear":
                OnInterrupt(connection, session, eventId);
                break;
            case "agent.start_listening":
                OnStartListening(connection, session);
                break;
            // end_listening is the alpha docs' name, likely a typo of stop_listening (assumed): both are accepted.
            case "agent.stop_listening" or "agent.end_listening":
                OnStopListening(connection, session);
                break;
            case "session.keep_alive":
                // Documented for LITE: resets the idle timer when IdleRules count it (above); nothing else to do.
                break;
            default:
                connection.Send(RealtimeServerMessages.Error("invalid_request_error", $"unknown event type '{type}'", eventId));
                break;
        }
    }

    // Which idle-rule category a client event belongs to (IdleRules decides whether it resets the idle timer).
    private static IdleActivity IdleActivityOf(string type) => type switch
    {
        "agent.speak" or "agent.audio_buffer_append" or "agent.speak_end" or "agent.audio_buffer_commit" => IdleActivity.Speech,
        "agent.interrupt" or "agent.audio_buffer_clear" or "agent.start_listening" or "agent.stop_listening" or "agent.end_listening" => IdleActivity.Control,
        "session.keep_alive" => IdleActivity.SocketKeepAlive,
        _ => IdleActivity.Other,
    };

    // agent.speak {event_id, audio}: base64 PCM16 mono 24 kHz (documented). Each is acknowledged with
    // agent.audio_buffer_appended (seen in real sessions, PR #7313); it is refused before "connected" (the docs say to
    // wait for it; assumed to be an error rather than silently dropped).
    private static void OnSpeak(RealtimeServerConnection connection, RealtimeSessionContext session, string? eventId, byte[]? audio)
    {
        if (audio is null)
        {
            connection.Send(RealtimeServerMessages.Error("invalid_request_error", "'audio' is required", eventId));
            return;
        }

        if (!connection.IsConnected && session.Options.RejectSpeakBeforeConnected)
        {
            connection.Send(RealtimeServerMessages.Error("invalid_request_error", "the session is not connected yet", eventId));
            return;
        }

        if ((audio.Length & 1) != 0)
        {
            // Assumed: the service cannot play half a 16-bit sample, so it says so instead of guessing.
            connection.Send(RealtimeServerMessages.Error("invalid_request_error", "'audio' must be whole 16-bit PCM samples", eventId));
            return;
        }

        connection.Send(RealtimeServerMessages.AudioBufferAppended(eventId));
        // The older generation has no event id per utterance: its buffer is one running utterance.
        session.Avatar.Speak(eventId ?? BufferUtterance, audio);
    }

    // agent.speak_end {event_id}: acknowledged with agent.audio_buffer_committed, which does not mean playback finished
    // (PR #7245); the avatar reports agent.speak_ended once the audio has played.
    private static void OnSpeakEnd(RealtimeServerConnection connection, RealtimeSessionContext session, string? eventId)
    {
        connection.Send(RealtimeServerMessages.AudioBufferCommitted(eventId));
        session.Avatar.SpeakEnd(eventId ?? BufferUtterance);
    }

    // agent.interrupt {event_id}: stops speech, drops the queue, back to idle (documented); the avatar reports
    // agent.speak_interrupted for the utterance it cut (client code; assumed), then agent.audio_buffer_cleared acknowledges.
    private static void OnInterrupt(RealtimeServerConnection connection, RealtimeSessionContext session, string? eventId)
    {
        session.Avatar.Interrupt();
        connection.Send(RealtimeServerMessages.AudioBufferCleared(eventId));
    }

    // agent.start_listening: only while silent (alpha docs); assumed to be answered with a warning otherwise.
    private static void OnStartListening(RealtimeServerConnection connection, RealtimeSessionContext session)
    {
        if (!session.Avatar.StartListening())
            connection.Send(RealtimeServerMessages.Warning("agent.start_listening is ignored while the avatar is talking"));
    }

    // agent.stop_listening: only while listening (alpha docs); assumed to be answered with a warning otherwise.
    private static void OnStopListening(RealtimeServerConnection connection, RealtimeSessionContext session)
    {
        if (!session.Avatar.StopListening())
            connection.Send(RealtimeServerMessages.Warning("agent.stop_listening is ignored while the avatar is not listening"));
    }
}
