using Pipeline.HeyGen.Realtime.Events;

namespace HeyGenLiveCheck;

/// <summary>Every server event, reported with its time as it arrives, and a way to wait for one (bounded).</summary>
internal sealed class ServerEventLog(LiveCheckReport report)
{
    private readonly Lock _gate = new();
    private readonly List<RealtimeServerEvent> _events = [];
    private readonly List<(Func<RealtimeServerEvent, bool> Match, TaskCompletionSource<RealtimeServerEvent> Done)> _waiters = [];

    public void Add(RealtimeServerEvent e)
    {
        report.Event(e.Type, e.RawJson);
        List<TaskCompletionSource<RealtimeServerEvent>> done = [];
        lock (_gate)
        {
            _events.Add(e);
            foreach (var waiter in _waiters.Where(w => w.Match(e)).ToList())
            {
                done.Add(waiter.Done);
                _waiters.Remove(waiter);
            }
        }

        foreach (var d in done) d.TrySetResult(e);
    }

    public bool Any(Func<RealtimeServerEvent, bool> match)
    {
        lock (_gate) return _events.Any(match);
    }

    /// <summary>The first event (already seen or still to come) that matches; a <see cref="TimeoutException"/> naming
    /// what was awaited after <paramref name="timeout"/>.</summary>
    public async Task<RealtimeServerEvent> WaitAsync(Func<RealtimeServerEvent, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource<RealtimeServerEvent> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_events.FirstOrDefault(match) is { } seen) return seen;
            _waiters.Add((match, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the service sent no awaited event within {timeout.TotalSeconds:F0} s (see the event lines above)");
        }
    }
}
