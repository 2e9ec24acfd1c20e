using Microsoft.Extensions.Time.Testing;

namespace Pipeline.Testing;

/// <summary>
/// The two ways a test waits: in real time for something the system does without the clock, or by moving a fake
/// clock in steps (letting the system catch up after each) until something happens in emulated time.
/// </summary>
public static class FakeClockPump
{
    /// <summary>Waits (in real time, without moving any clock) until the condition holds, at most <paramref name="hang"/>.</summary>
    /// <param name="condition">Polled every 2 ms of real time.</param>
    /// <param name="what">What is awaited, for the timeout message.</param>
    /// <param name="hang">Real-time limit; only a hang reaches it.</param>
    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="hang"/>.</exception>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan hang)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var timeout = new CancellationTokenSource(hang);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(2, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Moves <paramref name="clock"/> forward by <paramref name="step"/> until the condition holds, at most
    /// <paramref name="limit"/> of emulated time (and, when given, <paramref name="wallLimit"/> of real time).
    /// </summary>
    /// <exception cref="TimeoutException">The condition did not hold within the limits.</exception>
    public static async Task AdvanceUntilAsync(
        FakeTimeProvider clock, Func<bool> condition, TimeSpan limit, string what, TimeSpan step, TimeSpan? wallLimit = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(condition);
        using var wall = new CancellationTokenSource(wallLimit ?? Timeout.InfiniteTimeSpan);
        for (TimeSpan moved = TimeSpan.Zero; !condition(); moved += step)
        {
            if (moved >= limit || wall.IsCancellationRequested)
            {
                throw new TimeoutException($"{what} did not happen within {limit.TotalSeconds} s of emulated time ({moved.TotalSeconds} s moved).");
            }

            clock.Advance(step);
            await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Moves <paramref name="clock"/> forward by <paramref name="duration"/> in steps, letting the system catch up after each.</summary>
    public static async Task AdvanceAsync(FakeTimeProvider clock, TimeSpan duration, TimeSpan step)
    {
        ArgumentNullException.ThrowIfNull(clock);
        for (TimeSpan moved = TimeSpan.Zero; moved < duration; moved += step)
        {
            clock.Advance(step);
            await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
