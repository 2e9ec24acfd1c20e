using System.Collections.Concurrent;

namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// Every fault the emulator can inject, in one place (<see cref="HeyGenEmulator.Faults"/>):
/// <list type="bullet">
/// <item><b>Calls</b> (<see cref="Inject"/>): the REST endpoints, the realtime websocket upgrade and the media room
/// join (<see cref="EmulatorEndpoint.MediaRoomJoin"/>) take the fault at the front of their queue, which stays in force
/// for the number of calls it was injected for; with an empty queue calls are served normally.</item>
/// <item><b>Live sessions</b> (<see cref="ForSession"/>): faults of one session's realtime websocket (dropping it after
/// N messages, bad messages on connect, delayed server events, refusing upgrades with a status).</item>
/// </list>
/// Thread-safe; change faults at any time. To add a kind of call fault, add it to <see cref="EmulatedFaultKind"/> and
/// <see cref="EmulatedFault"/>, then honour it where the call is served (<c>Protocol/RequestPipeline</c> for HTTP,
/// <c>Media/EmulatedMediaConnector</c> for room joins).
/// </summary>
/// <example><code>
/// emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Status(503, retryAfter: TimeSpan.FromSeconds(2)), times: 2);
/// emulator.Faults.Inject(EmulatorEndpoint.MediaRoomJoin, EmulatedFault.Status(403));
/// emulator.Faults.ForSession(sessionId).DropAfterMessages = 3;
/// </code></example>
public sealed class EmulatorFaults
{
    private readonly Lock _gate = new();
    private readonly Dictionary<EmulatorEndpoint, Queue<Entry>> _queues = [];
    private readonly ConcurrentDictionary<string, SessionFaults> _sessions = new(StringComparer.Ordinal);

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

    /// <summary>The websocket faults of one session (created on first use; the session need not exist yet).</summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The session's faults; change them at any time.</returns>
    public SessionFaults ForSession(string sessionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        return _sessions.GetOrAdd(sessionId, static _ => new SessionFaults());
    }

    /// <summary>Removes every queued call fault and resets every session's faults.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _queues.Clear();
        }

        _sessions.Clear();
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

    /// <summary>The session's faults if any were set, without creating them.</summary>
    internal SessionFaults? Find(string sessionId) => _sessions.TryGetValue(sessionId, out var faults) ? faults : null;

    private sealed class Entry(EmulatedFault fault, int remaining)
    {
        public EmulatedFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
