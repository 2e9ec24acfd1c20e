namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// Keeps the session alive on a <see cref="TimeProvider"/> timer: every
/// <see cref="HeyGenRealtimeOptions.EffectiveKeepAliveInterval"/> it runs the keep-alive (the REST call for Interactive
/// Avatar, the websocket event for LiveAvatar), never two at once. Failures are counted and logged, never thrown.
/// </summary>
internal sealed class RealtimeKeepAlive : IDisposable
{
    private readonly Func<CancellationToken, Task> _keepAlive;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;
    private readonly CancellationToken _stopping;
    private ITimer? _timer;
    private int _running;
    private long _count;
    private long _failures;

    public RealtimeKeepAlive(Func<CancellationToken, Task> keepAlive, TimeSpan interval, TimeProvider time,
        Microsoft.Extensions.Logging.ILogger logger, CancellationToken stopping)
    {
        _keepAlive = keepAlive;
        _logger = logger;
        _stopping = stopping;
        _timer = time.CreateTimer(static state => ((RealtimeKeepAlive)state!).OnDue(), this, interval, interval);
    }

    /// <summary>Keep-alives done.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Keep-alives that failed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Stops the timer; a keep-alive running now ends with the client's stopping token.</summary>
    public void Dispose() => Interlocked.Exchange(ref _timer, null)?.Dispose();

    private void OnDue()
    {
        if (Volatile.Read(ref _timer) is null || _stopping.IsCancellationRequested) return;
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            RealtimeLog.KeepAliveSkipped(_logger);
            return;
        }

        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            await _keepAlive(_stopping).ConfigureAwait(false);
            Interlocked.Increment(ref _count);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Closing.
        }
        catch (Exception ex) when (Volatile.Read(ref _timer) is not null)
        {
            RealtimeLog.KeepAliveFailed(_logger, Interlocked.Increment(ref _failures), ex);
        }
        catch (Exception)
        {
            // The client ended meanwhile; nothing to keep alive.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
