using System.Collections.Concurrent;

namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// Ends sessions the way the real services do when <see cref="HeyGenEmulatorOptions.EnforceSessionLimits"/> is on:
/// after <see cref="EmulatedSession.IdleTimeout"/> without activity (<c>IDLE_TIMEOUT</c>) and after
/// <see cref="EmulatedSession.MaxDuration"/> in all (<c>MAX_DURATION_REACHED</c>). Timers run on the emulator's
/// clock, so a test with a fake clock advances time instead of waiting.
/// </summary>
internal sealed class SessionLimits(TimeProvider time) : IDisposable
{
    internal const string IdleTimeoutReason = "IDLE_TIMEOUT";
    internal const string MaxDurationReason = "MAX_DURATION_REACHED";

    private readonly ConcurrentDictionary<string, Timers> _timers = new(StringComparer.Ordinal);

    public void Watch(EmulatedSession session)
    {
        var timers = new Timers(
            time.CreateTimer(_ => Expire(session, IdleTimeoutReason), null, session.IdleTimeout, Timeout.InfiniteTimeSpan),
            time.CreateTimer(_ => Expire(session, MaxDurationReason), null, session.MaxDuration, Timeout.InfiniteTimeSpan));
        _timers[session.Id] = timers;
        session.ActivityObserver = Touch;
        session.WhenStopped.ContinueWith(_ => Forget(session.Id), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public void Dispose()
    {
        foreach (var id in _timers.Keys)
        {
            Forget(id);
        }
    }

    private void Touch(EmulatedSession session)
    {
        if (_timers.TryGetValue(session.Id, out var timers))
        {
            timers.Idle.Change(session.IdleTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void Expire(EmulatedSession session, string reason) => session.TryStop(time.GetUtcNow(), reason);

    private void Forget(string sessionId)
    {
        if (_timers.TryRemove(sessionId, out var timers))
        {
            timers.Idle.Dispose();
            timers.MaxDuration.Dispose();
        }
    }

    private sealed record Timers(ITimer Idle, ITimer MaxDuration);
}
