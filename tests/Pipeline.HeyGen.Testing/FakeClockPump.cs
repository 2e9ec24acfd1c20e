using Microsoft.Extensions.Time.Testing;

namespace Pipeline.HeyGen.Testing;

/// <summary>
/// The two ways the harnesses wait: in real time for something the system does without the clock, or by moving a
/// fake clock in steps (letting the system catch up after each) until something happens in emulated time.
/// </summary>
public static class FakeClockPump
{
    /// <summary>Waits (in real time, without moving any clock) until the condition holds, at most <paramref name="hang"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan hang)
    {
        using var timeout = new CancellationTokenSource(hang);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(2, CancellationToken.None);
        }
    }

    /// <summary>
    /// Moves <paramref name="clock"/> forward by <paramref name="step"/> until the condition holds, at most
    /// <paramref name="limit"/> of emulated time (and, when given, <paramref name="wallLimit"/> of real time).
    /// </summary>
    public static async Task AdvanceUntilAsync(
        FakeTimeProvider clock, Func<bool> condition, TimeSpan limit, string what, TimeSpan step, TimeSpan? wallLimit = null)
    {
        using var wall = new CancellationTokenSource(wallLimit ?? Timeout.InfiniteTimeSpan);
        for (TimeSpan moved = TimeSpan.Zero; !condition(); moved += step)
        {
            if (moved >= limit || wall.IsCancellationRequested)
            {
                throw new TimeoutException($"{what} did not happen within {limit.TotalSeconds} s of emulated time ({moved.TotalSeconds} s moved).");
            }

            clock.Advance(step);
            await Task.Delay(1, CancellationToken.None);
        }
    }
}
