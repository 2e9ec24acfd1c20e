namespace Pipeline.Core.Avatars;

/// <summary>
/// The service's view of its utterances: the one being fed (and whether a TTS start opened it), those ended but not
/// yet done (what an <c>EndFrame</c> waits for), the ids of interrupted ones (whose late audio is dropped), and the
/// sequence that tells a stale end-of-utterance timeout from a live one. The utterances themselves own their state.
/// </summary>
/// <remarks>Thread-safe: audio arrives on the processing task while interruptions come on the system task.</remarks>
internal sealed class UtteranceLedger
{
    private const int InterruptedIdsKept = 64;

    private readonly Lock _gate = new();
    private readonly List<IAvatarUtterance> _ended = [];
    private readonly List<string> _interruptedIds = [];
    private (IAvatarUtterance Utterance, bool OpenedByTts)? _current;
    private long _audioSequence;

    public IAvatarUtterance? Current
    {
        get
        {
            lock (_gate)
            {
                return _current?.Utterance;
            }
        }
    }

    public bool IsInterrupted(string? id)
    {
        lock (_gate)
        {
            return id is not null && _interruptedIds.Contains(id);
        }
    }

    /// <summary>A fresh TTS start may reuse an interrupted utterance's id: that id is live again.</summary>
    public void Reopen(string? id)
    {
        lock (_gate)
        {
            _interruptedIds.RemoveAll(i => string.Equals(i, id, StringComparison.Ordinal));
        }
    }

    public void Begin(IAvatarUtterance utterance, bool openedByTts)
    {
        lock (_gate)
        {
            _current = (utterance, openedByTts);
        }
    }

    /// <summary>
    /// For audio that arrived for <paramref name="utterance"/>: whether it is still the current one, and if it was not
    /// opened by a TTS start, the sequence number of the end-of-utterance timeout to arm (0: none).
    /// </summary>
    public bool TryTouch(IAvatarUtterance utterance, out long timeoutSequence)
    {
        lock (_gate)
        {
            timeoutSequence = 0;
            if (_current?.Utterance != utterance)
            {
                return false;
            }

            if (!_current.Value.OpenedByTts)
            {
                timeoutSequence = ++_audioSequence;
            }

            return true;
        }
    }

    public bool IsCurrentTimeout(string id, long sequence)
    {
        lock (_gate)
        {
            return sequence == _audioSequence && _current?.Utterance.Id == id;
        }
    }

    /// <summary>Ends the current utterance if <paramref name="id"/> names it (or is null): it now counts as open until done.</summary>
    public IAvatarUtterance? TakeCurrent(string? id)
    {
        lock (_gate)
        {
            if (_current is not { } current || (id is not null && !string.Equals(id, current.Utterance.Id, StringComparison.Ordinal)))
            {
                return null;
            }

            _current = null;
            _ended.Add(current.Utterance);
            return current.Utterance;
        }
    }

    /// <summary>Forgets every utterance (the session interrupts them) and remembers their ids.</summary>
    /// <returns>Whether an utterance not interrupted before was cut off (speech was in progress).</returns>
    public bool InterruptAll()
    {
        lock (_gate)
        {
            bool cut = false;
            if (_current is { } current)
            {
                cut |= Remember(current.Utterance.Id);
            }

            foreach (IAvatarUtterance ended in _ended)
            {
                cut |= Remember(ended.Id);
            }

            _current = null;
            return cut;
        }
    }

    public void Done(IAvatarUtterance utterance)
    {
        lock (_gate)
        {
            _ended.Remove(utterance);
        }
    }

    /// <summary>The ended utterances not yet done.</summary>
    public IAvatarUtterance[] Ended()
    {
        lock (_gate)
        {
            return [.. _ended];
        }
    }

    /// <summary>The completions of the ended utterances not yet done.</summary>
    public Task[] OpenCompletions()
    {
        lock (_gate)
        {
            return [.. _ended.Select(u => u.Completion)];
        }
    }

    private bool Remember(string id)
    {
        if (_interruptedIds.Contains(id))
        {
            return false;
        }

        _interruptedIds.Add(id);
        if (_interruptedIds.Count > InterruptedIdsKept)
        {
            _interruptedIds.RemoveAt(0);
        }

        return true;
    }

    /// <summary>
    /// Draining is waiting for the open utterances (bounded by <paramref name="timeout"/>): a lost one faults (it was
    /// reported when it broke) and ends the wait for it. Returns the ids of the ended utterances the avatar spoke in
    /// full, or null when the wait timed out.
    /// </summary>
    public async Task<string[]?> DrainAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Task[] open = OpenCompletions();
        if (open.Length == 0 || timeout == TimeSpan.Zero)
        {
            return [];
        }

        IAvatarUtterance[] draining = Ended();
        // Reading the exception marks it observed (a continuation alone does not), so a failure after the drain gave up
        // never surfaces as an unobserved task exception.
        Task all = Task.WhenAll(open).ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await all.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }

        return [.. draining.Where(u => u.Completion.IsCompletedSuccessfully && !IsInterrupted(u.Id)).Select(u => u.Id)];
    }
}
