namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// Client-side state of one utterance (one <c>event_id</c>): its pacing, the bytes handed over, and whether it was
/// interrupted by the caller or broken by a lost connection. Queued chunks of a discarded utterance are skipped by
/// the send loop.
/// </summary>
internal sealed class Utterance : IDisposable
{
    private readonly CancellationTokenSource _discarded = new();
    private int _state;

    public Utterance(string id, UtterancePacer pacer)
    {
        Id = id;
        Pacer = pacer;
    }

    public string Id { get; }

    public UtterancePacer Pacer { get; }

    /// <summary>PCM bytes accepted by <see cref="HeyGenRealtimeClient.SpeakAsync"/> for this utterance.</summary>
    public long BytesSubmitted;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when its <c>agent.speak_end</c> was sent; 0 before.</summary>
    public long EndSentAt;

    /// <summary>Cancelled when the utterance is interrupted or broken, so a paced speak stops waiting.</summary>
    public CancellationToken DiscardedToken => _discarded.Token;

    public bool IsInterrupted => Volatile.Read(ref _state) == 1;

    public bool IsBroken => Volatile.Read(ref _state) == 2;

    public bool IsDiscarded => Volatile.Read(ref _state) != 0;

    /// <summary>Marks the utterance interrupted by the caller; returns false if it was already discarded.</summary>
    public bool Interrupt() => Discard(1);

    /// <summary>Marks the utterance broken by a lost connection; returns false if it was already discarded.</summary>
    public bool Break() => Discard(2);

    private bool Discard(int state)
    {
        if (Interlocked.CompareExchange(ref _state, state, 0) != 0) return false;
        _discarded.Cancel();
        return true;
    }

    public void Dispose() => _discarded.Dispose();
}
