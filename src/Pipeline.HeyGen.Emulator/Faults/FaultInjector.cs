namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// Per-endpoint queues of faults. Each call to an endpoint takes the fault at the front of its queue, which stays
/// in force for the number of calls it was injected for; with an empty queue calls are served normally.
/// </summary>
/// <example><code>
/// emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Status(503, retryAfter: TimeSpan.FromSeconds(2)), times: 2);
/// </code></example>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly Dictionary<EmulatorEndpoint, Queue<Entry>> _queues = [];

    /// <summary>Makes the next <paramref name="times"/> calls to <paramref name="endpoint"/> fail with
    /// <paramref name="fault"/> (after any faults already queued for it).</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="fault">The fault.</param>
    /// <param name="times">How many calls it affects, at least 1.</param>
    public void Inject(EmulatorEndpoint endpoint, EmulatedFault fault, int times = 1)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate)
        {
            if (!_queues.TryGetValue(endpoint, out var queue))
            {
                _queues[endpoint] = queue = new Queue<Entry>();
            }

            queue.Enqueue(new Entry(fault, times));
        }
    }

    /// <summary>How many faulted calls are still queued for an endpoint.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The number of calls that will still be faulted.</returns>
    public int Pending(EmulatorEndpoint endpoint)
    {
        lock (_gate)
        {
            return _queues.TryGetValue(endpoint, out var queue) ? queue.Sum(e => e.Remaining) : 0;
        }
    }

    /// <summary>Removes every queued fault.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _queues.Clear();
        }
    }

    internal EmulatedFault? TakeNext(EmulatorEndpoint endpoint)
    {
        lock (_gate)
        {
            if (!_queues.TryGetValue(endpoint, out var queue) || queue.Count == 0)
            {
                return null;
            }

            var entry = queue.Peek();
            if (--entry.Remaining == 0)
            {
                queue.Dequeue();
            }

            return entry.Fault;
        }
    }

    private sealed class Entry(EmulatedFault fault, int remaining)
    {
        public EmulatedFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
