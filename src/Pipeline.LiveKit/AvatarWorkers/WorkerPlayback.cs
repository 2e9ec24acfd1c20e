using Pipeline.Core.Avatars;

namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// What the avatar worker is playing: the utterances whose streams it was sent and has not finished, in stream order
/// (the worker reports <c>lk.playback_finished</c> in that order), and whether the avatar is speaking. The one owner
/// of those utterances' completion by the worker's reports, by an interruption's bounded wait, or by a failure.
/// </summary>
/// <remarks>
/// A finished report completes the oldest utterance not interrupted (or, if all were, the oldest); an interrupted one
/// completes every interrupted utterance, and is ignored when there is none (a late answer to an interruption already
/// given up on). The avatar speaks from the worker's <c>lk.playback_started</c> or, for a worker that never sends it,
/// from the first chunk sent (as LiveKit Agents assumes), until nothing is left to play.
/// </remarks>
internal sealed class WorkerPlayback(Action<AvatarEvent> report)
{
    private readonly Lock _gate = new();
    private readonly List<WorkerUtterance> _pending = [];
    private bool _speaking;
    private bool _workerReportsStarts;
    private Exception? _failure;

    /// <summary>The utterance's stream was opened to the worker: it plays after those before it.</summary>
    /// <returns>False when it was interrupted meanwhile or the session failed (it is not queued: nothing of it is to be played).</returns>
    public bool Streaming(WorkerUtterance utterance)
    {
        lock (_gate)
        {
            if (_failure is not null || utterance.IsInterrupted)
            {
                return false;
            }

            _pending.Add(utterance);
            return true;
        }
    }

    /// <summary>The first chunk of an utterance left: the avatar speaks now, unless the worker reports it itself.</summary>
    public void FirstChunkSent()
    {
        lock (_gate)
        {
            if (_workerReportsStarts || _speaking || _pending.Count == 0)
            {
                return;
            }

            _speaking = true;
        }

        report(new AvatarStartedSpeaking());
    }

    /// <summary>The worker's <c>lk.playback_started</c>.</summary>
    public void OnPlaybackStarted()
    {
        lock (_gate)
        {
            _workerReportsStarts = true;
            if (_speaking || _pending.Count == 0)
            {
                return; // already speaking, or a late report of speech already finished or cleared
            }

            _speaking = true;
        }

        report(new AvatarStartedSpeaking());
    }

    /// <summary>The worker's <c>lk.playback_finished</c>.</summary>
    public void OnPlaybackFinished(bool interrupted)
    {
        List<WorkerUtterance> done;
        lock (_gate)
        {
            if (interrupted)
            {
                done = [.. _pending.Where(u => u.IsInterrupted)];
            }
            else
            {
                WorkerUtterance? next = _pending.Find(u => !u.IsInterrupted) ?? _pending.FirstOrDefault();
                done = next is null ? [] : [next];
            }

            _pending.RemoveAll(done.Contains);
        }

        Finish(done);
    }

    /// <summary>
    /// Interrupts the open utterances: marks them, and returns those the worker holds speech of (to be cleared: they
    /// complete when it confirms, or by <see cref="GiveUp"/>); the others are done at once.
    /// </summary>
    public IReadOnlyList<WorkerUtterance> Interrupt(IReadOnlyCollection<WorkerUtterance> open)
    {
        List<WorkerUtterance> held;
        List<WorkerUtterance> idle;
        lock (_gate)
        {
            foreach (WorkerUtterance utterance in open)
            {
                utterance.MarkInterrupted();
            }

            held = [.. _pending.Where(u => u.IsInterrupted)];
            idle = [.. open.Where(u => !_pending.Contains(u))];
        }

        foreach (WorkerUtterance utterance in idle)
        {
            utterance.Complete();
        }

        return held;
    }

    /// <summary>The worker did not confirm the clear in time: those utterances are taken as finished.</summary>
    public void GiveUp(IReadOnlyList<WorkerUtterance> cleared)
    {
        List<WorkerUtterance> done;
        lock (_gate)
        {
            done = [.. cleared.Where(_pending.Contains)];
            _pending.RemoveAll(done.Contains);
        }

        Finish(done);
    }

    /// <summary>The session failed or closed: every utterance in play faults with <paramref name="failure"/>, and later streams are refused.</summary>
    public void Fail(Exception failure)
    {
        List<WorkerUtterance> lost;
        bool wasSpeaking;
        lock (_gate)
        {
            _failure ??= failure;
            lost = [.. _pending];
            _pending.Clear();
            wasSpeaking = _speaking;
            _speaking = false;
        }

        foreach (WorkerUtterance utterance in lost)
        {
            utterance.Fail(failure);
        }

        if (wasSpeaking)
        {
            report(new AvatarStoppedSpeaking());
        }
    }

    private void Finish(List<WorkerUtterance> done)
    {
        bool stopped;
        lock (_gate)
        {
            stopped = _speaking && _pending.Count == 0;
            if (stopped)
            {
                _speaking = false;
            }
        }

        foreach (WorkerUtterance utterance in done)
        {
            utterance.Complete();
        }

        if (stopped)
        {
            report(new AvatarStoppedSpeaking());
        }
    }
}
