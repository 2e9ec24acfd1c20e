namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// One utterance (one <c>event_id</c>) and everything known about it, in one place: its chunking and pacing, the bytes
/// handed over, whether its end was sent and acknowledged, and how it ended. <see cref="Completion"/> completes when
/// the avatar has spoken it or it was interrupted, and faults when it was lost to a dropped connection. Queued chunks
/// of a discarded (interrupted or lost) utterance are skipped by the send loop.
/// </summary>
internal sealed class Utterance : IDisposable
{
    private readonly CancellationTokenSource _discarded = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    public Utterance(string id, UtterancePacer pacer, AgentSpeakChunker chunker)
    {
        Id = id;
        Pacer = pacer;
        Chunker = chunker;
    }

    public string Id { get; }

    public UtterancePacer Pacer { get; }

    /// <summary>Cuts the utterance's audio into <c>agent.speak</c> messages: the only place audio is chunked.</summary>
    public AgentSpeakChunker Chunker { get; }

    /// <summary>Serializes the callers of one utterance (appends may come from a frame task and an end from another).</summary>
    public SemaphoreSlim SendLock { get; } = new(1, 1);

    /// <summary>PCM bytes queued for sending.</summary>
    public long BytesSubmitted;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when its <c>agent.speak_end</c> was sent; 0 before.</summary>
    public long EndSentAt;

    /// <summary>Whether <c>agent.speak_end</c> was queued (or the utterance ended without audio).</summary>
    public bool Ended { get; set; }

    /// <summary>Whether the service confirmed it holds the whole utterance (a later drop cannot lose it).</summary>
    public bool Acknowledged { get; set; }

    /// <summary>Cancelled when the utterance is interrupted or lost, so a paced speak stops waiting.</summary>
    public CancellationToken DiscardedToken => _discarded.Token;

    /// <summary>Completes when spoken or interrupted; faults with <see cref="RealtimeFailure.UtteranceLost"/> when lost.</summary>
    public Task Completion => _completion.Task;

    public bool IsInterrupted => Volatile.Read(ref _state) == 1;

    public bool IsBroken => Volatile.Read(ref _state) == 2;

    public bool IsDiscarded => Volatile.Read(ref _state) != 0;

    /// <summary>The avatar has spoken it (or said it is done): completes it.</summary>
    public void Finish() => _completion.TrySetResult();

    /// <summary>Marks the utterance interrupted by the caller and completes it; false if it was already discarded.</summary>
    public bool Interrupt()
    {
        if (!Discard(1)) return false;
        _completion.TrySetResult();
        return true;
    }

    /// <summary>Marks the utterance lost and faults its completion; false if it was already discarded or done.</summary>
    public bool Break(Exception error)
    {
        if (_completion.Task.IsCompleted || !Discard(2)) return false;
        _completion.TrySetException(error);
        return true;
    }

    private bool Discard(int state)
    {
        if (Interlocked.CompareExchange(ref _state, state, 0) != 0) return false;
        _discarded.Cancel();
        return true;
    }

    public void Dispose()
    {
        _discarded.Dispose();
        SendLock.Dispose();
    }
}
