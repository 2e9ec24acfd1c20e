using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Pipeline.HeyGen.Realtime;

/// <summary>Opens the websocket to the realtime endpoint and turns a failed handshake into a clear error.</summary>
internal static class RealtimeSocket
{
    public static async Task<ClientWebSocket> OpenAsync(
        Uri endpoint, HeyGenRealtimeOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        options.ConfigureWebSocket?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
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
            var failure = Failure(endpoint, options, ex, status, timeout.IsCancellationRequested);
            RealtimeLog.ConnectFailed(logger, RealtimeUrl.Redact(endpoint), failure.Message);
            throw failure;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static HeyGenRealtimeException Failure(Uri endpoint, HeyGenRealtimeOptions options, Exception ex, int status, bool timedOut)
    {
        var where = RealtimeUrl.Redact(endpoint);
        if (timedOut)
        {
            return new HeyGenRealtimeException(RealtimeFailure.ConnectTimeout,
                $"Connecting to the HeyGen realtime endpoint {where} timed out after {options.ConnectTimeout.TotalMilliseconds} ms.", null, ex);
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
                    $"Nothing accepted a connection at {endpoint.Host}:{endpoint.Port} (HeyGen realtime endpoint {where}).", null, ex);
            }
        }

        return new HeyGenRealtimeException(RealtimeFailure.ConnectionFailed,
            $"Could not connect to the HeyGen realtime endpoint {where} ({ex.GetType().Name}).", null, ex);
    }
}
