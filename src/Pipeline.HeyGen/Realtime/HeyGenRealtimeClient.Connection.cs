using System.Net.Sockets;
using System.Net.WebSockets;

namespace Pipeline.HeyGen.Realtime;

// Connecting, supervising the connection, reconnecting, closing.
public sealed partial class HeyGenRealtimeClient
{
    private int _state;
    private Uri? _endpoint;
    private string _redactedEndpoint = "";
    private Task? _supervisor;
    private ActiveConnection? _connection;
    private volatile Exception? _terminal;
    private volatile bool _sessionEnding;
    private volatile bool _closeRequested;

    /// <summary>
    /// Opens the websocket to <paramref name="endpoint"/> (the session's <c>realtime_endpoint</c> or <c>ws_url</c>), then
    /// starts the loops and the keep-alive. Does not wait for readiness (see <see cref="WaitUntilReadyAsync"/>).
    /// </summary>
    /// <exception cref="HeyGenRealtimeException">Refused, rejected (HTTP 401/403 as <see cref="RealtimeFailure.Unauthorized"/>),
    /// timed out after <see cref="HeyGenRealtimeOptions.ConnectTimeout"/>, or failed otherwise. The client may connect again.</exception>
    public async Task ConnectAsync(Uri endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != "ws" && endpoint.Scheme != "wss"))
            throw new ArgumentException("The realtime endpoint must be an absolute ws:// or wss:// URL.", nameof(endpoint));
        if (Interlocked.CompareExchange(ref _state, (int)RealtimeConnectionState.Connecting, (int)RealtimeConnectionState.NotConnected)
            != (int)RealtimeConnectionState.NotConnected)
        {
            throw new InvalidOperationException("ConnectAsync may be called once (again only after it failed).");
        }

        _endpoint = endpoint;
        _redactedEndpoint = RealtimeUrl.Redact(endpoint);
        ClientWebSocket socket;
        try
        {
            socket = await OpenSocketAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _state, (int)RealtimeConnectionState.NotConnected);
            throw;
        }

        RealtimeLog.Connected(_logger, _redactedEndpoint);
        Volatile.Write(ref _state, (int)RealtimeConnectionState.Connected);
        _supervisor = SuperviseAsync(socket);
        StartKeepAlive();
    }

    private async Task<ClientWebSocket> OpenSocketAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        _options.ConfigureWebSocket?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var status = (int)socket.HttpStatusCode;
            socket.Dispose();
            var failure = ConnectFailure(ex, status, timeout.IsCancellationRequested);
            RealtimeLog.ConnectFailed(_logger, _redactedEndpoint, failure.Message);
            throw failure;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private HeyGenRealtimeException ConnectFailure(Exception ex, int status, bool timedOut)
    {
        var where = RealtimeUrl.Redact(_endpoint!);
        if (timedOut)
        {
            return new HeyGenRealtimeException(RealtimeFailure.ConnectTimeout,
                $"Connecting to the HeyGen realtime endpoint {where} timed out after {_options.ConnectTimeout.TotalMilliseconds} ms.", null, ex);
        }

        if (status is 401 or 403)
        {
            return new HeyGenRealtimeException(RealtimeFailure.Unauthorized,
                $"The HeyGen realtime endpoint {where} refused the session credentials (HTTP {status}): the session id or token is wrong, or the session has ended.",
                status, ex);
        }

        if (status is not 0 and not 101)
        {
            return new HeyGenRealtimeException(RealtimeFailure.Rejected,
                $"The HeyGen realtime endpoint {where} answered the websocket upgrade with HTTP {status}.", status, ex);
        }

        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return new HeyGenRealtimeException(RealtimeFailure.ConnectionRefused,
                    $"Nothing accepted a connection at {_endpoint!.Host}:{_endpoint.Port} (HeyGen realtime endpoint {where}).", null, ex);
            }
        }

        return new HeyGenRealtimeException(RealtimeFailure.ConnectionFailed,
            $"Could not connect to the HeyGen realtime endpoint {where} ({ex.GetType().Name}).", null, ex);
    }

    private async Task SuperviseAsync(ClientWebSocket socket)
    {
        try
        {
            while (true)
            {
                var end = await RunConnectionAsync(socket).ConfigureAwait(false);
                socket.Dispose();
                if (_closeRequested || end.Kind == ConnectionEndKind.ClosedByClient) return;
                if (end.Kind == ConnectionEndKind.SessionEnded)
                {
                    RealtimeLog.SessionEnded(_logger, end.Reason);
                    Raise(Disconnected, new RealtimeDisconnectedEventArgs(end.Reason, end.CloseStatus, end.Error, willReconnect: false));
                    Shutdown(new HeyGenRealtimeException(RealtimeFailure.SessionEnded, $"The HeyGen session ended ({end.Reason})."), faulted: false);
                    return;
                }

                var lostAt = _time.GetTimestamp();
                Volatile.Write(ref _state, (int)RealtimeConnectionState.Reconnecting);
                BreakUtterancesInFlight();
                RealtimeLog.ConnectionLost(_logger, end.Reason, _options.MaxReconnectAttempts > 0, end.Error);
                Raise(Disconnected, new RealtimeDisconnectedEventArgs(end.Reason, end.CloseStatus, end.Error, _options.MaxReconnectAttempts > 0));
                var (next, attempts, lastError) = await ReconnectAsync().ConfigureAwait(false);
                if (next is null)
                {
                    var failure = new HeyGenRealtimeException(RealtimeFailure.ReconnectFailed,
                        $"The connection to {_redactedEndpoint} was lost ({end.Reason}) and {attempts} reconnect attempt(s) failed"
                        + (lastError is null ? "." : $": {lastError.Message}"),
                        lastError?.HttpStatusCode, (Exception?)lastError ?? end.Error);
                    RealtimeLog.Faulted(_logger, failure);
                    Shutdown(failure, faulted: true);
                    return;
                }

                socket = next;
                Volatile.Write(ref _state, (int)RealtimeConnectionState.Connected);
                var downtime = _time.GetElapsedTime(lostAt);
                RealtimeLog.Reconnected(_logger, attempts, downtime.TotalMilliseconds);
                Raise(Reconnected, new RealtimeReconnectedEventArgs(attempts, downtime));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Closing while reconnecting.
        }
        catch (Exception ex)
        {
            var failure = new HeyGenRealtimeException(RealtimeFailure.ConnectionFailed, "The HeyGen realtime client failed unexpectedly.", null, ex);
            RealtimeLog.Faulted(_logger, failure);
            Shutdown(failure, faulted: true);
        }
    }

    private async Task<ConnectionEnd> RunConnectionAsync(ClientWebSocket socket)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        using var sendCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
        var send = SendLoopAsync(socket, sendCancel.Token);
        var receive = ReceiveLoopAsync(socket, cancel.Token);
        var connection = new ActiveConnection(socket, sendCancel, send, receive);
        Volatile.Write(ref _connection, connection);
        try
        {
            ConnectionEnd end;
            var first = await Task.WhenAny(send, receive).ConfigureAwait(false);
            if (first == send && !_closeRequested)
            {
                // The send loop ends on its own only when a send fails: the socket is broken.
                end = ConnectionEnd.Lost("a send failed", null, send.Exception?.GetBaseException());
                await cancel.CancelAsync().ConfigureAwait(false);
                socket.Abort();
                await receive.ConfigureAwait(false);
            }
            else
            {
                end = await receive.ConfigureAwait(false);
            }

            await cancel.CancelAsync().ConfigureAwait(false);
            try
            {
                await send.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Its failure, if any, is already the reason above.
            }

            return end;
        }
        finally
        {
            Volatile.Write(ref _connection, null);
        }
    }

    private async Task<(ClientWebSocket? Socket, int Attempts, HeyGenRealtimeException? LastError)> ReconnectAsync()
    {
        HeyGenRealtimeException? lastError = null;
        for (var attempt = 1; attempt <= _options.MaxReconnectAttempts; attempt++)
        {
            var delay = BackoffDelay(attempt, _options.ReconnectInitialDelay, _options.ReconnectMaxDelay);
            if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, _stopping).ConfigureAwait(false);
            try
            {
                return (await OpenSocketAsync(_endpoint!, _stopping).ConfigureAwait(false), attempt, null);
            }
            catch (HeyGenRealtimeException ex)
            {
                lastError = ex;
                RealtimeLog.ReconnectAttemptFailed(_logger, attempt, _options.MaxReconnectAttempts, ex.Message);
                if (!ex.IsTransient) return (null, attempt, ex);
            }
        }

        return (null, _options.MaxReconnectAttempts, lastError);
    }

    /// <summary>Wait before reconnect attempt <paramref name="attempt"/> (1-based): initial × 2^(attempt−1), capped.</summary>
    internal static TimeSpan BackoffDelay(int attempt, TimeSpan initial, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ticks = initial.Ticks * factor;
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }

    private async Task CloseCoreAsync()
    {
        _closeRequested = true;
        StopKeepAlive();
        var connection = Volatile.Read(ref _connection);
        if (connection is not null)
        {
            using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
            try
            {
                // Stop the send loop between messages, then say goodbye and wait for the server's close frame.
                await connection.SendCancel.CancelAsync().ConfigureAwait(false);
                await connection.Send.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
                // Stopped on purpose, or the connection ended meanwhile.
            }

            try
            {
                await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", timeout.Token)
                    .ConfigureAwait(false);
                await connection.Receive.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Best effort: the loops are cancelled below, which aborts the socket.
            }
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (_supervisor is not null) await _supervisor.ConfigureAwait(false);
        Shutdown(new ObjectDisposedException(nameof(HeyGenRealtimeClient), "The HeyGen realtime client is closed."), faulted: false);
    }

    /// <summary>Makes the client terminal: completes the queues (releasing queued buffers) and the readiness wait.</summary>
    private void Shutdown(Exception reason, bool faulted)
    {
        if (Interlocked.CompareExchange(ref _terminal, reason, null) is not null) return;
        Volatile.Write(ref _state, (int)(faulted ? RealtimeConnectionState.Faulted : RealtimeConnectionState.Closed));
        StopKeepAlive();
        foreach (var utterance in _utterances.Values) utterance.Break();
        _inFlight.Clear();
        _ready.TrySetCanceled();
        _outbound.Writer.TryComplete(reason);
        while (_outbound.Reader.TryRead(out var message)) message.Release();
        _events.Writer.TryComplete(faulted ? reason : null);
        if (faulted && reason is HeyGenRealtimeException failure) Raise(Faulted, new RealtimeFaultedEventArgs(failure));
    }

    private enum ConnectionEndKind
    {
        ClosedByClient,
        SessionEnded,
        Lost,
    }

    private readonly record struct ConnectionEnd(ConnectionEndKind Kind, string Reason, WebSocketCloseStatus? CloseStatus, Exception? Error)
    {
        public static ConnectionEnd Lost(string reason, WebSocketCloseStatus? status, Exception? error) =>
            new(ConnectionEndKind.Lost, reason, status, error);
    }

    private sealed record ActiveConnection(ClientWebSocket Socket, CancellationTokenSource SendCancel, Task Send, Task<ConnectionEnd> Receive);
}
