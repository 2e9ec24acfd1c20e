namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>Every client message an emulated session received, in order, so tests can assert exact sequences and audio.</summary>
public sealed class RealtimeEventRecorder
{
    private readonly Lock _lock = new();
    private readonly List<RecordedClientEvent> _events = [];
    private readonly List<(Func<IReadOnlyList<RecordedClientEvent>, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    /// <summary>A snapshot of everything received so far.</summary>
    public IReadOnlyList<RecordedClientEvent> Events
    {
        get
        {
            lock (_lock) return [.. _events];
        }
    }

    /// <summary>The received messages of one <paramref name="type"/>.</summary>
    public IReadOnlyList<RecordedClientEvent> OfType(string type) => Events.Where(e => e.Type == type).ToList();

    /// <summary>The audio of every <c>agent.speak</c> with <paramref name="eventId"/>, decoded and joined in arrival order.</summary>
    public byte[] AudioOf(string eventId) =>
        Events.Where(e => e.Type == "agent.speak" && e.EventId == eventId).SelectMany(e => e.Audio ?? []).ToArray();

    /// <summary>Completes when <paramref name="condition"/> holds for the messages received so far.</summary>
    public Task WaitForAsync(Func<IReadOnlyList<RecordedClientEvent>, bool> condition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        lock (_lock)
        {
            if (condition(_events)) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Completes when at least <paramref name="count"/> messages of <paramref name="type"/> have arrived.</summary>
    public Task WaitForCountAsync(string type, int count, CancellationToken cancellationToken = default) =>
        WaitForAsync(events => events.Count(e => e.Type == type) >= count, cancellationToken);

    internal void Record(int connection, string type, string? eventId, byte[]? audio, string text, DateTimeOffset receivedAt)
    {
        lock (_lock)
        {
            _events.Add(new RecordedClientEvent(_events.Count + 1, connection, type, eventId, audio, text, receivedAt));
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Condition(_events)) continue;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
