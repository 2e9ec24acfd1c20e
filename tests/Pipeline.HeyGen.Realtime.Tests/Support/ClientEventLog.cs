using Pipeline.HeyGen.Realtime.Events;

namespace Pipeline.HeyGen.Realtime.Tests.Support;

/// <summary>Everything a <see cref="HeyGenRealtimeClient"/> raised, with waits on it.</summary>
internal sealed class ClientEventLog
{
    private readonly Lock _lock = new();
    private readonly List<object> _items = [];
    private readonly List<(Func<IReadOnlyList<object>, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    public ClientEventLog(HeyGenRealtimeClient client)
    {
        client.EventReceived += (_, e) => Add(e);
        client.Disconnected += (_, e) => Add(e);
        client.Reconnected += (_, e) => Add(e);
        client.AudioLost += (_, e) => Add(e);
        client.Faulted += (_, e) => Add(e);
    }

    public IReadOnlyList<object> Items
    {
        get
        {
            lock (_lock) return [.. _items];
        }
    }

    public IReadOnlyList<T> Of<T>() => Items.OfType<T>().ToList();

    public IReadOnlyList<string> ServerEventTypes => Of<RealtimeServerEvent>().Select(e => e.Type).ToList();

    public Task WaitForAsync<T>(Func<T, bool>? match = null, int count = 1) =>
        WaitForAsync(items => items.OfType<T>().Count(e => match?.Invoke(e) ?? true) >= count);

    public Task WaitForAsync(Func<IReadOnlyList<object>, bool> condition)
    {
        lock (_lock)
        {
            if (condition(_items)) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, done));
            return done.Task.WaitAsync(TestTimeouts.Wait);
        }
    }

    private void Add(object item)
    {
        lock (_lock)
        {
            _items.Add(item);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Condition(_items)) continue;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
