using System.Buffers;
using System.Net.WebSockets;
using Pipeline.HeyGen.Realtime.Events;
using Pipeline.HeyGen.Realtime.Protocol;

namespace Pipeline.HeyGen.Realtime;

// The send loop (one writer, queue order) and the receive loop (server events, close handling) of one connection,
// and the bookkeeping of utterances in flight that they drive.
public sealed partial class HeyGenRealtimeClient
{
    private const int ReceiveBufferBytes = 16 * 1024;

    private async Task SendLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var reader = _outbound.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryPeek(out var message))
            {
                // Peek, send, then take: a message whose send fails stays queued for the next connection.
                if (message.Utterance is not { IsDiscarded: true })
                {
                    // Marked before sending: the service's acknowledgement may arrive before SendAsync returns.
                    if (message.Utterance is { } ending && message.Type == RealtimeEventTypes.AgentSpeakEnd)
                        Volatile.Write(ref ending.EndSentAt, _time.GetTimestamp());
                    await socket.SendAsync(message.Payload, WebSocketMessageType.Text, endOfMessage: true, cancellationToken)
                        .ConfigureAwait(false);
                }

                if (!reader.TryRead(out var sent)) continue;
                if (sent.Type == RealtimeEventTypes.AgentSpeakEnd) ForgetUnacknowledgedUtterances();
                sent.Release();
            }
        }
    }

    private async Task<ConnectionEnd> ReceiveLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
        var count = 0;
        var oversized = false;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (buffer.Length >= _options.MaxMessageBytes)
                    {
                        oversized = true;
                        count = 0;
                    }
                    else
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close) return await OnCloseReceivedAsync(socket).ConfigureAwait(false);
                count += result.Count;
                if (!result.EndOfMessage) continue;
                if (oversized || result.MessageType != WebSocketMessageType.Text)
                {
                    var total = Interlocked.Increment(ref _malformedCount);
                    RealtimeLog.MalformedMessage(_logger, count, oversized ? "too large" : "binary", total);
                }
                else
                {
                    OnServerMessage(buffer.AsMemory(0, count));
                }

                count = 0;
                oversized = false;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new ConnectionEnd(ConnectionEndKind.ClosedByClient, "closed by the client", null, null);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            return _closeRequested
                ? new ConnectionEnd(ConnectionEndKind.ClosedByClient, "closed by the client", null, null)
                : ConnectionEnd.Lost("the socket failed: " + ex.Message, null, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<ConnectionEnd> OnCloseReceivedAsync(ClientWebSocket socket)
    {
        var status = socket.CloseStatus;
        var description = string.IsNullOrEmpty(socket.CloseStatusDescription) ? "" : $" '{socket.CloseStatusDescription}'";
        if (_closeRequested) return new ConnectionEnd(ConnectionEndKind.ClosedByClient, "closed by the client", status, null);
        try
        {
            // Complete the close handshake the server started.
            using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The server is gone already; nothing to finish.
        }

        var reason = $"the server closed the socket with status {(int?)status}{description}";
        return _sessionEnding || status == WebSocketCloseStatus.NormalClosure
            ? new ConnectionEnd(ConnectionEndKind.SessionEnded, reason, status, null)
            : ConnectionEnd.Lost(reason, status, null);
    }

    private void OnServerMessage(ReadOnlyMemory<byte> utf8)
    {
        switch (RealtimeServerEventParser.TryParse(utf8, out var serverEvent, out var detail))
        {
            case ParseOutcome.Malformed:
                RealtimeLog.MalformedMessage(_logger, utf8.Length, detail, Interlocked.Increment(ref _malformedCount));
                return;
            case ParseOutcome.UnknownType:
                Interlocked.Increment(ref _unknownCount);
                RealtimeLog.UnknownEvent(_logger, detail);
                return;
        }

        RealtimeLog.ServerEvent(_logger, serverEvent!.Type, serverEvent.EventId);
        switch (serverEvent)
        {
            case SessionStateUpdatedEvent { State: AvatarSessionState.Connected }:
                _ready.TrySetResult(true);
                break;
            case SessionStateUpdatedEvent { State: AvatarSessionState.Closing or AvatarSessionState.Closed }:
                _sessionEnding = true;
                break;
            case AudioBufferCommittedEvent committed:
                Acknowledged(committed.SourceEventId);
                break;
            case AgentSpeakEndedEvent or AgentSpeakInterruptedEvent:
                Acknowledged(serverEvent.EventId);
                break;
            case RealtimeErrorEvent error:
                // Services quote what they were given: their texts are redacted and capped before anyone sees them.
                serverEvent = error = error with { Message = RedactServerText(error.Message) };
                RealtimeLog.ServerError(_logger, error.ErrorType, error.Code, error.SourceEventId, error.Message);
                break;
            case RealtimeWarningEvent warning:
                serverEvent = warning = warning with { Message = RedactServerText(warning.Message) };
                RealtimeLog.ServerWarning(_logger, warning.Message);
                break;
        }

        _events.Writer.TryWrite(serverEvent);
        Raise(EventReceived, serverEvent);
    }

    /// <summary>The service confirmed it has the whole utterance: a later drop cannot lose it.</summary>
    private void Acknowledged(string? utteranceId)
    {
        if (utteranceId is null) return;
        foreach (var utterance in _inFlight.Keys)
        {
            if (utterance.Id == utteranceId && Volatile.Read(ref utterance.EndSentAt) != 0) _inFlight.TryRemove(utterance, out _);
        }
    }

    /// <summary>Ended utterances never acknowledged within the timeout count as delivered (a service without acks).</summary>
    private void ForgetUnacknowledgedUtterances()
    {
        foreach (var utterance in _inFlight.Keys)
        {
            var endSentAt = Volatile.Read(ref utterance.EndSentAt);
            if (endSentAt != 0 && _time.GetElapsedTime(endSentAt) > _options.EndAcknowledgementTimeout) _inFlight.TryRemove(utterance, out _);
        }
    }

    private void BreakUtterancesInFlight()
    {
        ForgetUnacknowledgedUtterances();
        foreach (var utterance in _inFlight.Keys)
        {
            _inFlight.TryRemove(utterance, out _);
            if (!utterance.Break()) continue;
            var bytes = Interlocked.Read(ref utterance.BytesSubmitted);
            RealtimeLog.AudioLost(_logger, utterance.Id, bytes);
            Raise(AudioLost, new RealtimeAudioLostEventArgs(utterance.Id, bytes));
        }
    }

    private string? RedactServerText(string? text)
    {
        if (text is null)
        {
            return null;
        }

        IEnumerable<string> urlValues = _endpoint is null
            ? []
            : _endpoint.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split('=', 2))
                .Where(pair => pair.Length == 2 && RealtimeUrl.IsSecret(Uri.UnescapeDataString(pair[0])))
                .Select(pair => Uri.UnescapeDataString(pair[1]));
        return Api.Http.SecretRedactor.Redact(text, [.. _options.KnownSecrets, .. urlValues], 256);
    }
}
