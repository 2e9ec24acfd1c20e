using Pipeline.HeyGen.Realtime.Protocol;

namespace Pipeline.HeyGen.Realtime;

// Keep-alive: REST for Interactive Avatar, the websocket event for LiveAvatar, on a TimeProvider timer.
public sealed partial class HeyGenRealtimeClient
{
    private ITimer? _keepAliveTimer;
    private int _keepAliveRunning;

    private void StartKeepAlive()
    {
        if (!_options.KeepAliveEnabled) return;
        var interval = _options.EffectiveKeepAliveInterval;
        _keepAliveTimer = _time.CreateTimer(static state => ((HeyGenRealtimeClient)state!).OnKeepAliveDue(), this, interval, interval);
    }

    private void StopKeepAlive() => Interlocked.Exchange(ref _keepAliveTimer, null)?.Dispose();

    private void OnKeepAliveDue()
    {
        if (_terminal is not null) return;
        if (Interlocked.Exchange(ref _keepAliveRunning, 1) == 1)
        {
            RealtimeLog.KeepAliveSkipped(_logger);
            return;
        }

        _ = KeepAliveAsync();
    }

    private async Task KeepAliveAsync()
    {
        try
        {
            if (_options.Product == HeyGenProduct.InteractiveAvatar)
            {
                await _options.RestKeepAlive!(_stopping).ConfigureAwait(false);
            }
            else
            {
                await EnqueueAsync(_writer.WriteControl(RealtimeEventTypes.SessionKeepAlive, null), _stopping).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _keepAliveCount);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Closing.
        }
        catch (Exception ex) when (_terminal is null)
        {
            RealtimeLog.KeepAliveFailed(_logger, Interlocked.Increment(ref _keepAliveFailureCount), ex);
        }
        catch (Exception)
        {
            // The client ended meanwhile; nothing to keep alive.
        }
        finally
        {
            Volatile.Write(ref _keepAliveRunning, 0);
        }
    }
}
