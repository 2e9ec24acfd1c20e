namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// What every utterance of one worker session streams through: the agent's local participant, the worker it
/// addresses, the speech format and chunk size, the session-wide pacer and playback, and the session's failure.
/// </summary>
internal sealed class WorkerSpeech
{
    /// <summary>The longest chunk written at once: short enough for the pacer's lead, long enough to keep calls few.</summary>
    private static readonly TimeSpan MaxChunk = TimeSpan.FromMilliseconds(100);
    private Exception? _failure;
    private Task _clear = Task.CompletedTask;

    public WorkerSpeech(LocalParticipant local, string workerIdentity, int sampleRate, TimeSpan lead, TimeProvider time, WorkerPlayback playback)
    {
        Local = local;
        WorkerIdentity = workerIdentity;
        SampleRate = sampleRate;
        Time = time;
        Playback = playback;
        Pacer = new SpeechPacer(time, lead);
        TimeSpan chunk = lead < MaxChunk ? lead : MaxChunk;
        ChunkBytes = Math.Max(2, (int)(sampleRate * chunk.TotalSeconds) * 2);
        StreamAttributes = AvatarWorkerProtocol.AudioStreamAttributes(sampleRate);
    }

    public LocalParticipant Local { get; }

    public string WorkerIdentity { get; }

    /// <summary>Hz, 16-bit mono.</summary>
    public int SampleRate { get; }

    /// <summary>Bytes per chunk written to a stream (even: whole samples).</summary>
    public int ChunkBytes { get; }

    public IReadOnlyDictionary<string, string> StreamAttributes { get; }

    public TimeProvider Time { get; }

    public SpeechPacer Pacer { get; }

    public WorkerPlayback Playback { get; }

    /// <summary>Why the session can no longer stream (the worker left, the room dropped, it closed); null while it can.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Told the size of each chunk as it is handed to the engine: a probe for tests and diagnostics; may be null.</summary>
    public Action<int>? ChunkSent { get; init; }

    /// <summary>How long a new stream waits for the worker to answer the last <c>lk.clear_buffer</c>.</summary>
    public TimeSpan ClearWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Records the <c>lk.clear_buffer</c> call just sent (its task completes when the worker answered).</summary>
    public void ClearSent(Task clear) => Volatile.Write(ref _clear, clear);

    /// <summary>
    /// Waits (at most <see cref="ClearWait"/>) until the worker has answered the last <c>lk.clear_buffer</c>. The RPC and
    /// a byte stream travel as separate engine tasks and the worker handles them on separate tasks too, so a stream
    /// opened right after a clear could reach the worker first and be cut by it (seen after 100 rapid interruptions:
    /// the next utterance was received whole but reported cleared). The answer proves the clear was handled.
    /// </summary>
    public async Task AfterClearAsync(CancellationToken cancellationToken)
    {
        Task clear = Volatile.Read(ref _clear);
        if (clear.IsCompleted)
        {
            return;
        }

        try
        {
            await clear.WaitAsync(ClearWait, Time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unanswered or failed: the session's interruption handling reports it; the speech goes on regardless
            // (a lost answer must never deafen the avatar).
        }
    }

    /// <summary>Makes the session unusable for speech; the first failure wins.</summary>
    public void SetFailure(Exception failure) => Interlocked.CompareExchange(ref _failure, failure, null);

    public TimeSpan DurationOf(int bytes) => TimeSpan.FromSeconds(bytes / 2.0 / SampleRate);
}
