using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.HeyGen.Realtime.Protocol;

namespace Pipeline.HeyGen.Realtime;

/// <summary>What the <see cref="RealtimeSupervisor"/> tells the client about the connection's life.</summary>
internal interface IRealtimeSupervisorHost : IRealtimeConnectionHost
{
    /// <summary>The connection dropped; <paramref name="willReconnect"/> says whether a new one is tried.</summary>
    void OnConnectionLost(ConnectionEnd end, bool willReconnect);

    /// <summary>A new connection is open after a drop.</summary>
    void OnReconnected(int attempts, TimeSpan downtime);

    /// <summary>The service closed the session: nothing to reconnect to.</summary>
    void OnSessionEnded(ConnectionEnd end);

    /// <summary>Reconnecting failed, or the supervisor failed unexpectedly: the client is unusable.</summary>
    void OnFailed(HeyGenRealtimeException failure);
}

/// <summary>
/// Keeps the realtime connection up: runs one <see cref="RealtimeConnection"/> at a time, and when one is lost opens
/// the next with exponential backoff (<see cref="HeyGenRealtimeOptions.MaxReconnectAttempts"/>), until the client
/// closes, the session ends or the attempts run out.
/// </summary>
internal sealed class RealtimeSupervisor
{
    private readonly Uri _endpoint;
    private readonly string _redactedEndpoint;
    private readonly ChannelReader<OutboundMessage> _outbound;
    private readonly IRealtimeSupervisorHost _host;
    private readonly HeyGenRealtimeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private RealtimeConnection? _current;

    public RealtimeSupervisor(Uri endpoint, ChannelReader<OutboundMessage> outbound, IRealtimeSupervisorHost host,
        HeyGenRealtimeOptions options, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        _endpoint = endpoint;
        _redactedEndpoint = RealtimeUrl.Redact(endpoint);
        _outbound = outbound;
        _host = host;
        _options = options;
        _time = time;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>The connection running now, if any.</summary>
    public RealtimeConnection? Current => Volatile.Read(ref _current);

    /// <summary>Supervises from the first, already open socket until the end; never throws.</summary>
    public async Task RunAsync(ClientWebSocket socket)
    {
        try
        {
            while (true)
            {
                var connection = new RealtimeConnection(socket, _outbound, _host, _options, _time, _stopping);
                Volatile.Write(ref _current, connection);
                var end = await connection.RunAsync(_stopping).ConfigureAwait(false);
                Volatile.Write(ref _current, null);
                if (_host.CloseRequested || end.Kind == ConnectionEndKind.ClosedByClient) return;
                if (end.Kind == ConnectionEndKind.SessionEnded)
                {
                    _host.OnSessionEnded(end);
                    return;
                }

                var lostAt = _time.GetTimestamp();
                _host.OnConnectionLost(end, _options.MaxReconnectAttempts > 0);
                var (next, attempts, lastError) = await ReconnectAsync().ConfigureAwait(false);
                if (next is null)
                {
                    _host.OnFailed(new HeyGenRealtimeException(RealtimeFailure.ReconnectFailed,
                        $"The connection to {_redactedEndpoint} was lost ({end.Reason}) and {attempts} reconnect attempt(s) failed"
                        + (lastError is null ? "." : $": {lastError.Message}"),
                        lastError?.HttpStatusCode, (Exception?)lastError ?? end.Error));
                    return;
                }

                socket = next;
                _host.OnReconnected(attempts, _time.GetElapsedTime(lostAt));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Closing while reconnecting.
        }
        catch (Exception ex)
        {
            _host.OnFailed(new HeyGenRealtimeException(RealtimeFailure.ConnectionFailed, "The HeyGen realtime client failed unexpectedly.", null, ex));
        }
    }

    /// <summary>Wait before reconnect attempt <paramref name="attempt"/> (1-based): initial × 2^(attempt−1), capped.</summary>
    public static TimeSpan BackoffDelay(int attempt, TimeSpan initial, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ticks = initial.Ticks * factor;
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
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
                return (await RealtimeSocket.OpenAsync(_endpoint, _options, _time, _logger, _stopping).ConfigureAwait(false), attempt, null);
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
}
