using Microsoft.Extensions.Logging;

namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// Whether the service said <c>session.state_updated: connected</c>, and the bounded wait for it with its fallback
/// (<see cref="HeyGenRealtimeOptions.ReadinessFallback"/>), decided once.
/// </summary>
internal sealed class RealtimeReadiness(HeyGenRealtimeOptions options, TimeProvider time, ILogger logger)
{
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _assumed;

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Whether waiting is over: confirmed, or assumed after a timeout.</summary>
    public bool IsSettled => IsReady || _assumed;

    public void OnConnected() => _ready.TrySetResult(true);

    /// <summary>The client ended: a wait in progress ends too.</summary>
    public void Cancel() => _ready.TrySetCanceled();

    public async Task<bool> WaitAsync(CancellationToken cancellationToken)
    {
        if (IsReady) return true;
        if (_assumed) return false;
        try
        {
            return await _ready.Task.WaitAsync(options.ReadyTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            if (options.ReadinessFallback == ReadinessFallback.Throw)
            {
                throw new HeyGenRealtimeException(RealtimeFailure.NotReady,
                    $"HeyGen did not report the session connected within {options.ReadyTimeout.TotalMilliseconds} ms.", null, ex);
            }

            if (!_assumed)
            {
                _assumed = true;
                RealtimeLog.ReadyAssumed(logger, options.ReadyTimeout.TotalMilliseconds);
            }

            return false;
        }
    }
}
