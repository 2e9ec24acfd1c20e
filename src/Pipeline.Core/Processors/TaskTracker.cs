using System.Collections.Concurrent;

namespace Pipeline.Core.Processors;

/// <summary>
/// Keeps a count of running tasks started through it, so nothing runs fire-and-forget: a runner can check, once it
/// has finished, that every task it started has ended.
/// </summary>
public sealed class TaskTracker
{
    private readonly ConcurrentDictionary<long, string> _running = new();
    private long _nextId;

    /// <summary>Number of tracked tasks still running.</summary>
    public int ActiveCount => _running.Count;

    /// <summary>
    /// Names of the tracked tasks still running (for diagnostics), read in one snapshot: its count is the number of
    /// tasks running at that moment, so a log line built from it never contradicts itself.
    /// </summary>
    public IReadOnlyCollection<string> ActiveTaskNames => _running.Values.ToArray();

    /// <summary>Starts <paramref name="work"/> on the thread pool and tracks it until it ends.</summary>
    /// <param name="name">A name for diagnostics, e.g. <c>TtsService#3.process</c>.</param>
    /// <param name="work">The work; it must end when <paramref name="cancellationToken"/> is cancelled.</param>
    /// <param name="cancellationToken">Passed to <paramref name="work"/>.</param>
    /// <returns>The task, which completes when the work ends (faulted if it threw).</returns>
    public Task Run(string name, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        long id = Interlocked.Increment(ref _nextId);
        _running[id] = name;
        return RunTracked(id, work, cancellationToken);
    }

    private async Task RunTracked(long id, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            await work(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(id, out _);
        }
    }
}
