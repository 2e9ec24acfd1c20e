namespace Pipeline.HeyGen.Emulator;

/// <summary>Every request the emulator received, in arrival order, with a way to await a given number of them.</summary>
public sealed class RequestJournal
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<Waiter> _waiters = [];

    /// <summary>All requests so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Every request that carried a field its endpoint does not know (see <see cref="RecordedRequest.UnknownFields"/>).</summary>
    public IReadOnlyList<RecordedRequest> WithUnknownFields
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests.Where(r => r.UnknownFields.Count > 0)];
            }
        }
    }

    /// <summary>The requests to one endpoint, oldest first.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The requests.</returns>
    public IReadOnlyList<RecordedRequest> For(EmulatorEndpoint endpoint)
    {
        lock (_gate)
        {
            return [.. _requests.Where(r => r.Endpoint == endpoint)];
        }
    }

    /// <summary>How many requests reached an endpoint.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The count.</returns>
    public int CountFor(EmulatorEndpoint endpoint) => For(endpoint).Count;

    /// <summary>Completes once <paramref name="count"/> requests have reached <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="count">The number of requests to wait for.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the count is reached.</returns>
    public Task WaitForAsync(EmulatorEndpoint endpoint, int count, CancellationToken cancellationToken = default)
    {
        Waiter waiter;
        lock (_gate)
        {
            if (_requests.Count(r => r.Endpoint == endpoint) >= count)
            {
                return Task.CompletedTask;
            }

            waiter = new Waiter(endpoint, count);
            _waiters.Add(waiter);
        }

        return waiter.Completion.Task.WaitAsync(cancellationToken);
    }

    internal void Add(RecordedRequest request)
    {
        List<Waiter> done = [];
        lock (_gate)
        {
            _requests.Add(request);
            foreach (var waiter in _waiters)
            {
                if (_requests.Count(r => r.Endpoint == waiter.Endpoint) >= waiter.Count)
                {
                    done.Add(waiter);
                }
            }

            _waiters.RemoveAll(done.Contains);
        }

        foreach (var waiter in done)
        {
            waiter.Completion.TrySetResult();
        }
    }

    private sealed record Waiter(EmulatorEndpoint Endpoint, int Count)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
