namespace Pipeline.AvatarWorker.Emulator;

/// <summary>
/// Every fault the emulator injects, in one place (<see cref="AvatarWorkerEmulator.Faults"/>):
/// <list type="bullet">
/// <item><b>Dispatch</b> (<see cref="FailDispatch"/>): the next <c>POST /v1/session</c> calls answer a status instead
/// of starting a worker.</item>
/// <item><b>Workers</b> (the properties): how workers behave. Each is read when it matters (a worker started after
/// <see cref="NeverJoin"/> is set never joins; a clear that arrives after <see cref="SilentClearBuffer"/> is set is
/// not reported), so set them before the session they are meant for is created.</item>
/// </list>
/// Thread-safe. <see cref="AvatarWorkerEmulator.DropWorkerAsync"/> drops a running worker on demand.
/// </summary>
/// <example><code>
/// emulator.Faults.FailDispatch(503, "{\"detail\":\"busy\"}");
/// emulator.Faults.JoinDelay = TimeSpan.FromSeconds(2);
/// emulator.Faults.DropAfterPlayback = TimeSpan.FromMilliseconds(300);
/// </code></example>
public sealed class AvatarWorkerFaults
{
    private readonly Lock _gate = new();
    private readonly Queue<(int Status, string? Body)> _dispatch = new();
    private volatile bool _neverJoin;
    private volatile bool _neverPublishVideo;
    private volatile bool _silentClear;
    private volatile bool _neverStarted;
    private long _joinDelayTicks;
    private long _dropAfterTicks = -1;

    /// <summary>Makes the next <paramref name="times"/> <c>POST /v1/session</c> calls answer
    /// <paramref name="statusCode"/> (e.g. 401, 422, 500, 503) with <paramref name="body"/>; no session is created.</summary>
    /// <param name="statusCode">The HTTP status, 400–599.</param>
    /// <param name="body">The JSON body; null for <c>{"detail": "injected fault"}</c>.</param>
    /// <param name="times">How many calls it affects, at least 1.</param>
    public void FailDispatch(int statusCode, string? body = null, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_gate)
        {
            for (int i = 0; i < times; i++)
            {
                _dispatch.Enqueue((statusCode, body));
            }
        }
    }

    /// <summary>Dispatch calls still to be refused.</summary>
    public int PendingDispatchFailures { get { lock (_gate) { return _dispatch.Count; } } }

    /// <summary>The session is created (201) but its worker never joins the room (a provider that lost the job).</summary>
    public bool NeverJoin { get => _neverJoin; set => _neverJoin = value; }

    /// <summary>The worker waits this long (emulator clock) before joining. Zero (the default) joins at once.</summary>
    public TimeSpan JoinDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _joinDelayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _joinDelayTicks, value.Ticks);
        }
    }

    /// <summary>The worker joins and publishes audio, but never a camera track.</summary>
    public bool NeverPublishVideo { get => _neverPublishVideo; set => _neverPublishVideo = value; }

    /// <summary>The worker answers <c>lk.clear_buffer</c> and falls silent, but never sends the
    /// <c>lk.playback_finished</c> the agent waits for (the agent must not stay deaf waiting for it).</summary>
    public bool SilentClearBuffer { get => _silentClear; set => _silentClear = value; }

    /// <summary>The worker never sends <c>lk.playback_started</c> (it still plays and reports the end).</summary>
    public bool NeverSendPlaybackStarted { get => _neverStarted; set => _neverStarted = value; }

    /// <summary>
    /// The worker drops out of the room this long (emulator clock) after it first starts playing: it leaves at once,
    /// mid-utterance, without a word to the agent (no <c>lk.playback_finished</c>). Null (the default): never.
    /// </summary>
    public TimeSpan? DropAfterPlayback
    {
        get => Interlocked.Read(ref _dropAfterTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;
        set
        {
            if (value is { } delay)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
            }

            Interlocked.Exchange(ref _dropAfterTicks, value?.Ticks ?? -1);
        }
    }

    /// <summary>Removes every pending dispatch failure and resets the worker faults.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _dispatch.Clear();
        }

        NeverJoin = false;
        JoinDelay = TimeSpan.Zero;
        NeverPublishVideo = false;
        SilentClearBuffer = false;
        NeverSendPlaybackStarted = false;
        DropAfterPlayback = null;
    }

    internal (int Status, string? Body)? TakeDispatchFailure()
    {
        lock (_gate)
        {
            return _dispatch.TryDequeue(out (int Status, string? Body) failure) ? failure : null;
        }
    }
}
