using System.Collections.Concurrent;

namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// Every session the emulator has created, in creation order. Tests read it to prove no session leaks:
/// <c>emulator.Sessions.Open.Should().BeEmpty()</c>.
/// </summary>
public sealed class SessionLedger
{
    private readonly ConcurrentDictionary<string, EmulatedSession> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<EmulatedSession> _inOrder = new();

    /// <summary>All sessions ever created, oldest first.</summary>
    public IReadOnlyList<EmulatedSession> All => [.. _inOrder];

    /// <summary>Sessions not stopped yet.</summary>
    public IReadOnlyList<EmulatedSession> Open => [.. _inOrder.Where(s => s.IsOpen)];

    /// <summary>How many sessions were created.</summary>
    public int OpenedCount => _inOrder.Count;

    /// <summary>How many sessions were started.</summary>
    public int StartedCount => _inOrder.Count(s => s.StartedAt is not null);

    /// <summary>How many sessions were stopped.</summary>
    public int StoppedCount => _inOrder.Count(s => s.State == EmulatedSessionState.Stopped);

    /// <summary>Finds a session by id.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The session, or <see langword="null"/> when the emulator never created it.</returns>
    public EmulatedSession? Find(string? sessionId) =>
        sessionId is not null && _byId.TryGetValue(sessionId, out var session) ? session : null;

    internal EmulatedSession? FindBySessionToken(string token) =>
        _inOrder.FirstOrDefault(s => s.SessionToken is { } t && string.Equals(t, token, StringComparison.Ordinal));

    internal void Add(EmulatedSession session)
    {
        _byId[session.Id] = session;
        _inOrder.Enqueue(session);
    }
}
