using Microsoft.Extensions.Time.Testing;

namespace Pipeline.HeyGen.Realtime.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that lets a test wait until code under test has started a timer with a given due
/// time (a timeout, a delay), so the test advances the clock only once there is something to fire.
/// </summary>
internal sealed class TimerWatchingTimeProvider : FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _created = [];
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Done)> _waiters = [];

    public TimerWatchingTimeProvider()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_lock)
        {
            _created.Add(dueTime);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].DueTime != dueTime) continue;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }

        return timer;
    }

    /// <summary>Completes once a timer with <paramref name="dueTime"/> has been created (now or earlier).</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime)
    {
        lock (_lock)
        {
            if (_created.Contains(dueTime)) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((dueTime, done));
            return done.Task.WaitAsync(TestTimeouts.Wait);
        }
    }
}
