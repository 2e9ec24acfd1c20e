using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Pipeline.HeyGen.Realtime.Protocol;

namespace Pipeline.HeyGen.Realtime;

/// <summary>What a <see cref="RealtimeConnection"/> asks of the client that owns it.</summary>
internal interface IRealtimeConnectionHost
{
    /// <summary>The caller is closing the client: a close is not a loss.</summary>
    bool CloseRequested { get; }

    /// <summary>The service said the session is closing: a close ends the session.</summary>
    bool SessionEnding { get; }

    /// <summary>A whole text message arrived (valid only during the call).</summary>
    void OnMessage(ReadOnlyMemory<byte> utf8);

    /// <summary>A message that cannot be an event arrived (binary, or over the size limit).</summary>
    void OnMalformed(int length, string reason);
}

/// <summary>
/// One open websocket: the send loop (one writer, queue order, a message whose send fails stays queued for the next
/// connection) and the receive loop (whole messages to the host, close handling). It ends with a
/// <see cref="ConnectionEnd"/> saying whether the connection was closed, the session ended, or the connection was lost.
/// </summary>
internal sealed class RealtimeConnection
{
    private const int ReceiveBufferBytes = 16 * 1024;

    private readonly ClientWebSocket _socket;
    private readonly ChannelReader<OutboundMessage> _outbound;
    private readonly IRealtimeConnectionHost _host;
    private readonly HeyGenRealtimeOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _sendCancel;
    private Task _send = Task.CompletedTask;
    private Task<ConnectionEnd>? _receive;

    public RealtimeConnection(ClientWebSocket socket, ChannelReader<OutboundMessage> outbound, IRealtimeConnectionHost host,
        HeyGenRealtimeOptions options, TimeProvider time, CancellationToken stopping)
    {
        _socket = socket;
        _outbound = outbound;
        _host = host;
        _options = options;
        _time = time;
        _sendCancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    /// <summary>Runs both loops until the connection ends; disposes the socket.</summary>
    public async Task<ConnectionEnd> RunAsync(CancellationToken stopping)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _send = SendLoopAsync(_sendCancel.Token);
        var receive = _receive = ReceiveLoopAsync(cancel.Token);
        try
        {
            ConnectionEnd end;
            var first = await Task.WhenAny(_send, receive).ConfigureAwait(false);
            if (first == _send && !_host.CloseRequested)
            {
                // The send loop ends on its own only when a send fails: the socket is broken.
                end = ConnectionEnd.Lost("a send failed", null, _send.Exception?.GetBaseException());
                await cancel.CancelAsync().ConfigureAwait(false);
                _socket.Abort();
                await receive.ConfigureAwait(false);
            }
            else
            {
                end = await receive.ConfigureAwait(false);
            }

            await cancel.CancelAsync().ConfigureAwait(false);
            await _sendCancel.CancelAsync().ConfigureAwait(false);
            try
            {
                await _send.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Its failure, if any, is already the reason above.
            }

            return end;
        }
        finally
        {
            _socket.Dispose();
            _sendCancel.Dispose();
        }
    }

    /// <summary>Stops sending between messages, says goodbye and waits (bounded) for the server's close frame.</summary>
    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
        try
        {
            await _sendCancel.CancelAsync().ConfigureAwait(false);
            await _send.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // Stopped on purpose, or the connection ended meanwhile.
        }

        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", timeout.Token).ConfigureAwait(false);
            if (_receive is { } receive) await receive.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Best effort: the owner cancels the loops next, which aborts the socket.
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        while (await _outbound.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_outbound.TryPeek(out var message))
            {
                // Peek, send, then take: a message whose send fails stays queued for the next connection.
                if (message.Utterance is not { IsDiscarded: true })
                {
                    // Marked before sending: the service's acknowledgement may arrive before SendAsync returns.
                    if (message.Utterance is { } ending && message.Type == RealtimeEventTypes.AgentSpeakEnd)
                        Volatile.Write(ref ending.EndSentAt, _time.GetTimestamp());
                    await _socket.SendAsync(message.Payload, WebSocketMessageType.Text, endOfMessage: true, cancellationToken)
                        .ConfigureAwait(false);
                }

                if (_outbound.TryRead(out var sent)) sent.Release();
            }
        }
    }

    private async Task<ConnectionEnd> ReceiveLoopAsync(CancellationToken cancellationToken)
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

                var result = await _socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close) return await OnCloseReceivedAsync().ConfigureAwait(false);
                count += result.Count;
                if (!result.EndOfMessage) continue;
                if (oversized || result.MessageType != WebSocketMessageType.Text)
                    _host.OnMalformed(count, oversized ? "too large" : "binary");
                else
                    _host.OnMessage(buffer.AsMemory(0, count));

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
            return _host.CloseRequested
                ? new ConnectionEnd(ConnectionEndKind.ClosedByClient, "closed by the client", null, null)
                : ConnectionEnd.Lost("the socket failed: " + ex.Message, null, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<ConnectionEnd> OnCloseReceivedAsync()
    {
        var status = _socket.CloseStatus;
        var description = string.IsNullOrEmpty(_socket.CloseStatusDescription) ? "" : $" '{_socket.CloseStatusDescription}'";
        if (_host.CloseRequested) return new ConnectionEnd(ConnectionEndKind.ClosedByClient, "closed by the client", status, null);
        try
        {
            // Complete the close handshake the server started.
            using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The server is gone already; nothing to finish.
        }

        var reason = $"the server closed the socket with status {(int?)status}{description}";
        return _host.SessionEnding || status == WebSocketCloseStatus.NormalClosure
            ? new ConnectionEnd(ConnectionEndKind.SessionEnded, reason, status, null)
            : ConnectionEnd.Lost(reason, status, null);
    }
}

/// <summary>How a connection ended.</summary>
internal enum ConnectionEndKind
{
    ClosedByClient,
    SessionEnded,
    Lost,
}

/// <summary>How and why a connection ended.</summary>
internal readonly record struct ConnectionEnd(ConnectionEndKind Kind, string Reason, WebSocketCloseStatus? CloseStatus, Exception? Error)
{
    public static ConnectionEnd Lost(string reason, WebSocketCloseStatus? status, Exception? error) =>
        new(ConnectionEndKind.Lost, reason, status, error);
}
