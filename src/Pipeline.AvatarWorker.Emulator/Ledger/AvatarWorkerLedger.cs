using System.Collections.Concurrent;

namespace Pipeline.AvatarWorker.Emulator;

/// <summary>
/// Every session the emulator created, in creation order, with its worker's life. Tests read it to prove no worker
/// outlives its session: <c>emulator.Ledger.InRoom.Should().BeEmpty()</c>.
/// </summary>
public sealed class AvatarWorkerLedger
{
    private readonly ConcurrentQueue<WorkerSessionRecord> _inOrder = new();
    private readonly ConcurrentDictionary<string, WorkerSessionRecord> _byId = new(StringComparer.Ordinal);
    private int _dispatchRefusals;

    internal AvatarWorkerLedger()
    {
    }

    /// <summary>All sessions ever created, oldest first.</summary>
    public IReadOnlyList<WorkerSessionRecord> Sessions => [.. _inOrder];

    /// <summary>Sessions whose worker is in its room now.</summary>
    public IReadOnlyList<WorkerSessionRecord> InRoom => [.. _inOrder.Where(s => s.InRoom)];

    /// <summary>Sessions whose worker's life has not ended (joining, or in the room).</summary>
    public IReadOnlyList<WorkerSessionRecord> Running => [.. _inOrder.Where(s => s.LeftAt is null)];

    /// <summary>How many <c>POST /v1/session</c> calls were refused (bad key, bad body, injected status).</summary>
    public int DispatchRefusals => Volatile.Read(ref _dispatchRefusals);

    /// <summary>Finds a session by id.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The session, or null when the emulator never created it.</returns>
    public WorkerSessionRecord? Find(string? sessionId) =>
        sessionId is not null && _byId.TryGetValue(sessionId, out WorkerSessionRecord? session) ? session : null;

    internal void Add(WorkerSessionRecord session)
    {
        _byId[session.Id] = session;
        _inOrder.Enqueue(session);
    }

    internal void CountRefusal() => Interlocked.Increment(ref _dispatchRefusals);
}
