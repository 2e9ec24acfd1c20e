using System.Collections.Concurrent;
using Pipeline.HeyGen.Realtime.Events;

namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// The client's utterances, by id, until each is done: the one place where the service's acknowledgements and speak
/// events are counted, where a dropped connection decides which utterances it lost, and where an interruption finds
/// what the avatar is speaking.
/// </summary>
/// <remarks>
/// An utterance is <i>open</i> (its id may receive audio) until it ends or is interrupted, and <i>live</i> until its
/// <see cref="Utterance.Completion"/> is set. It is <i>in flight</i> (a drop loses it) from its first chunk until the
/// service acknowledges its end, or until the acknowledgement timeout after its end was sent, for services that send
/// no acknowledgement.
/// </remarks>
internal sealed class UtteranceBook
{
    private readonly ConcurrentDictionary<string, Utterance> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Utterance, long> _live = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _acknowledgementTimeout;
    private long _order;

    public UtteranceBook(TimeProvider time, TimeSpan acknowledgementTimeout)
    {
        _time = time;
        _acknowledgementTimeout = acknowledgementTimeout;
    }

    /// <summary>The open utterance with this id, or a new one made by <paramref name="create"/>.</summary>
    public Utterance Open(string id, Func<string, Utterance> create)
    {
        var utterance = _open.GetOrAdd(id, create);
        if (_live.TryAdd(utterance, Interlocked.Increment(ref _order)))
        {
            // Done utterances leave the book; nothing else removes them.
            _ = utterance.Completion.ContinueWith(
                (done, state) =>
                {
                    _ = done.Exception; // observed here: a lost utterance nobody awaits is not an unobserved fault
                    _live.TryRemove((Utterance)state!, out _);
                }, utterance, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return utterance;
    }

    /// <summary>Takes the open utterance with this id out of the open set (its id may be reused afterwards).</summary>
    public Utterance? Close(string id) => _open.TryRemove(id, out var utterance) ? utterance : null;

    /// <summary>Closes a specific utterance if its id still names it.</summary>
    public void Close(Utterance utterance) => _open.TryRemove(new KeyValuePair<string, Utterance>(utterance.Id, utterance));

    /// <summary>
    /// Interrupts every live utterance. Returns the one the avatar is most likely speaking (the latest with audio) and
    /// whether any had audio, so the caller tells the service only when there is something to stop.
    /// </summary>
    public (string? TargetId, bool Speaking) InterruptAll()
    {
        Utterance? target = null;
        long targetOrder = long.MinValue;
        foreach (var (utterance, order) in _live)
        {
            if (utterance.IsDiscarded)
            {
                // Interrupted (or lost) already: the service was told then. It stays live until its completion's
                // continuation (asynchronous) removes it, so a second interruption right after must skip it.
                continue;
            }

            if (Interlocked.Read(ref utterance.BytesSubmitted) > 0 && order > targetOrder)
            {
                target = utterance;
                targetOrder = order;
            }

            utterance.Interrupt();
            Close(utterance);
        }

        return (target?.Id, target is not null);
    }

    /// <summary>Interrupts one utterance by id (the caller names it).</summary>
    public void Interrupt(string id)
    {
        Close(id)?.Interrupt();
        foreach (var utterance in _live.Keys)
        {
            if (utterance.Id == id) utterance.Interrupt();
        }
    }

    /// <summary>Counts a server event against the utterances it is about.</summary>
    public void OnServerEvent(RealtimeServerEvent serverEvent)
    {
        switch (serverEvent)
        {
            case AudioBufferCommittedEvent committed:
                ForEachEnded(committed.SourceEventId, static u => u.Acknowledged = true);
                break;
            case AgentSpeakEndedEvent or AgentSpeakInterruptedEvent:
                ForEachEnded(serverEvent.EventId, static u =>
                {
                    u.Acknowledged = true;
                    u.Finish();
                });
                break;
            case AgentStateUpdatedEvent state when state.NewState != AvatarAgentState.Talking:
                // The avatar went quiet: every utterance it was given whole has been spoken.
                foreach (var utterance in _live.Keys)
                {
                    if (utterance.Ended) utterance.Finish();
                }

                break;
        }
    }

    /// <summary>
    /// The connection dropped: every utterance in flight is lost. Each is broken (its completion faults with the
    /// error <paramref name="lost"/> makes) and handed to <paramref name="onLost"/>.
    /// </summary>
    public void BreakInFlight(Func<Utterance, Exception> lost, Action<Utterance> onLost)
    {
        foreach (var utterance in _live.Keys)
        {
            if (!IsInFlight(utterance) || !utterance.Break(lost(utterance))) continue;
            onLost(utterance);
        }
    }

    /// <summary>The client ended: every live utterance fails with <paramref name="reason"/>.</summary>
    public void BreakAll(Exception reason)
    {
        foreach (var utterance in _live.Keys) utterance.Break(reason);
        _open.Clear();
    }

    private bool IsInFlight(Utterance utterance)
    {
        if (Interlocked.Read(ref utterance.BytesSubmitted) == 0 || utterance.Acknowledged) return false;
        var endSentAt = Volatile.Read(ref utterance.EndSentAt);
        return endSentAt == 0 || _time.GetElapsedTime(endSentAt) <= _acknowledgementTimeout;
    }

    private void ForEachEnded(string? id, Action<Utterance> action)
    {
        if (id is null) return;
        foreach (var utterance in _live.Keys)
        {
            if (utterance.Id == id && Volatile.Read(ref utterance.EndSentAt) != 0) action(utterance);
        }
    }
}
