using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Pipeline.AvatarWorkers.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each timer armed on it (retry delays, attempt timeouts; including
/// timers created disarmed and armed later with <see cref="ITimer.Change"/>, as a CancellationTokenSource does), so a
/// test can wait until the code under test is actually waiting, check for how long, and advance exactly that much.
/// No test sleeps.
/// </summary>
public sealed class TimerObservingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(base.CreateTimer(callback, state, dueTime, period), this);
        Report(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer armed (waits for it, at most 10 s of real time).</summary>
    public async Task<TimeSpan> NextTimerAsync() =>
        await _armed.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Waits for the next timer to be armed and advances the clock by its due time.</summary>
    public async Task<TimeSpan> AdvanceToNextTimerAsync()
    {
        var due = await NextTimerAsync();
        Advance(due);
        return due;
    }

    private void Report(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _armed.Writer.TryWrite(dueTime);
        }
    }

    private sealed class ObservedTimer(ITimer inner, TimerObservingTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            owner.Report(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
