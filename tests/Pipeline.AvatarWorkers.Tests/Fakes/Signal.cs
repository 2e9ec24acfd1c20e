namespace Pipeline.AvatarWorkers.Tests;

/// <summary>Wakes waiters whenever something they watch changed: waits on conditions are event-driven, never sleeps.</summary>
internal sealed class Signal
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking on every pulse; fails after <paramref name="bound"/>.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan bound, string what)
    {
        using var timeout = new CancellationTokenSource(bound);
        while (true)
        {
            Task changed = Volatile.Read(ref _changed).Task;
            if (condition())
            {
                return;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {bound.TotalSeconds} s waiting for {what}.");
            }
        }
    }
}
