namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>
/// The avatar's speech laid out on its playback clock, in 24 kHz samples since the clock started. Everything the avatar
/// reports and shows is read from here: when an utterance starts and ends (the speak events) and which samples are
/// speech (the audio it publishes and the mouth it draws). Not thread-safe: <see cref="EmulatedAvatar"/>'s lock guards it.
/// </summary>
/// <remarks>
/// Utterances (one per <c>event_id</c>) play one after another. The playing one places each chunk where its audio
/// ends, or at "now" if it ran dry (a gap of silence, as a live stream would have). A queued one keeps its chunks
/// until the playing one has ended, then starts right where it ended. An utterance ends once <c>agent.speak_end</c>
/// arrived and its audio has played: at whichever is later.
/// </remarks>
internal sealed class SpeechTimeline
{
    private readonly List<Segment> _segments = [];
    private readonly Queue<Utterance> _queued = new();
    private long _tail;

    /// <summary>The utterance playing (started, not ended), if any.</summary>
    public Utterance? Current { get; private set; }

    /// <summary>Whether nothing is playing or queued.</summary>
    public bool IsIdle => Current is null && _queued.Count == 0;

    /// <summary>Adds <paramref name="pcm"/> to the utterance <paramref name="eventId"/>; an unknown (or already ended)
    /// id starts a new utterance, at once if nothing is playing.</summary>
    /// <returns>The utterance that started playing because of this audio, or null.</returns>
    public Utterance? Append(string eventId, ReadOnlySpan<byte> pcm, long now)
    {
        if (Current is { Committed: false } current && current.EventId == eventId)
        {
            Place(current, pcm.ToArray(), Math.Max(now, _tail));
            return null;
        }

        Utterance? queued = _queued.FirstOrDefault(u => !u.Committed && u.EventId == eventId);
        if (queued is not null)
        {
            queued.Pending.Add(pcm.ToArray());
            return null;
        }

        var utterance = new Utterance(eventId);
        utterance.Pending.Add(pcm.ToArray());
        if (Current is not null)
        {
            _queued.Enqueue(utterance);
            return null;
        }

        Begin(utterance, now);
        return utterance;
    }

    /// <summary>Marks the utterance <paramref name="eventId"/> complete (<c>agent.speak_end</c>).</summary>
    /// <returns>The utterance, or null when no open utterance has this id.</returns>
    public Utterance? Commit(string eventId, long now)
    {
        Utterance? utterance = Current is { Committed: false } current && current.EventId == eventId
            ? current
            : _queued.FirstOrDefault(u => !u.Committed && u.EventId == eventId);
        if (utterance is not null)
        {
            utterance.Committed = true;
            utterance.CommittedAt = now;
        }

        return utterance;
    }

    /// <summary>When the playing utterance ends, once that is known (it is committed); null otherwise.</summary>
    public long? CurrentEnd => Current is { Committed: true } current ? Math.Max(current.End, current.CommittedAt) : null;

    /// <summary>Ends the playing utterance at <see cref="CurrentEnd"/> and starts the next queued one there (or at
    /// <paramref name="notBefore"/>, the first sample not played yet, if that is later).</summary>
    /// <returns>The ended utterance and the one that started, if any.</returns>
    public (Utterance Ended, long EndedAt, Utterance? Next) FinishCurrent(long notBefore)
    {
        Utterance ended = Current ?? throw new InvalidOperationException("Nothing is playing.");
        long endedAt = CurrentEnd ?? throw new InvalidOperationException("The playing utterance is not complete.");
        Current = null;
        if (!_queued.TryDequeue(out Utterance? next))
        {
            return (ended, endedAt, null);
        }

        Begin(next, Math.Max(endedAt, notBefore));
        return (ended, endedAt, next);
    }

    /// <summary>Cuts the speech off at <paramref name="now"/> and drops everything queued (<c>agent.interrupt</c>).</summary>
    /// <returns>The utterance that was playing, if any.</returns>
    public Utterance? Interrupt(long now)
    {
        Utterance? playing = Current;
        Current = null;
        _queued.Clear();
        for (int i = _segments.Count - 1; i >= 0; i--)
        {
            Segment segment = _segments[i];
            if (segment.Start >= now)
            {
                _segments.RemoveAt(i);
            }
            else if (segment.End > now)
            {
                _segments[i] = segment with { Pcm = segment.Pcm.AsSpan(0, (int)(now - segment.Start) * 2).ToArray() };
            }
        }

        _tail = Math.Min(_tail, now);
        return playing;
    }

    /// <summary>
    /// Copies the speech in [<paramref name="blockStart"/>, <paramref name="blockStart"/> + block samples) into
    /// <paramref name="block"/> (the rest stays as it is, silence) and forgets what has been played.
    /// </summary>
    /// <returns>The first and last-plus-one sample offsets in the block that carry speech; (0, 0) when none do.</returns>
    public (int From, int To) Play(long blockStart, Span<byte> block)
    {
        long blockEnd = blockStart + (block.Length / 2);
        int from = int.MaxValue;
        int to = 0;
        foreach (Segment segment in _segments)
        {
            if (segment.Start >= blockEnd)
            {
                break;
            }

            long start = Math.Max(blockStart, segment.Start);
            long end = Math.Min(blockEnd, segment.End);
            if (end <= start)
            {
                continue;
            }

            segment.Pcm.AsSpan((int)(start - segment.Start) * 2, (int)(end - start) * 2).CopyTo(block[((int)(start - blockStart) * 2)..]);
            from = Math.Min(from, (int)(start - blockStart));
            to = Math.Max(to, (int)(end - blockStart));
        }

        _segments.RemoveAll(s => s.End <= blockEnd);
        return from == int.MaxValue ? (0, 0) : (from, to);
    }

    private void Begin(Utterance utterance, long at)
    {
        Current = utterance;
        utterance.Start = at;
        utterance.End = at;
        _tail = Math.Max(_tail, at);
        foreach (byte[] pcm in utterance.Pending)
        {
            Place(utterance, pcm, _tail);
        }

        utterance.Pending.Clear();
    }

    private void Place(Utterance utterance, byte[] pcm, long at)
    {
        if (pcm.Length > 0)
        {
            _segments.Add(new Segment(at, pcm));
        }

        _tail = at + (pcm.Length / 2);
        utterance.End = _tail;
    }

    /// <summary>One utterance: its id, the task id the service reports, and where it sits on the clock.</summary>
    internal sealed class Utterance(string eventId)
    {
        public string EventId { get; } = eventId;

        public string TaskId { get; } = Guid.NewGuid().ToString();

        /// <summary>Audio received while queued behind another utterance, placed when this one starts.</summary>
        public List<byte[]> Pending { get; } = [];

        public long Start { get; set; }

        /// <summary>The end of its placed audio.</summary>
        public long End { get; set; }

        public bool Committed { get; set; }

        public long CommittedAt { get; set; }
    }

    private readonly record struct Segment(long Start, byte[] Pcm)
    {
        public long End => Start + (Pcm.Length / 2);
    }
}
