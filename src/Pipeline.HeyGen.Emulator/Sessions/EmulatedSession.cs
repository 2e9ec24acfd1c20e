namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// One session the emulator has created, with the secrets it handed out (so tests can check they never leak) and its
/// lifecycle. State changes are thread-safe; read properties for a consistent snapshot of one value at a time.
/// </summary>
public sealed class EmulatedSession
{
    private readonly Lock _gate = new();
    private EmulatedSessionState _state = EmulatedSessionState.New;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _stoppedAt;
    private DateTimeOffset? _lastKeepAliveAt;
    private int _keepAliveCount;
    private string? _stopReason;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal EmulatedSession(EmulatedProduct product, string id, DateTimeOffset createdAt, string requestBody)
    {
        Product = product;
        Id = id;
        CreatedAt = createdAt;
        RequestBody = requestBody;
    }

    /// <summary>The product the session belongs to.</summary>
    public EmulatedProduct Product { get; }

    /// <summary>The session id.</summary>
    public string Id { get; }

    /// <summary>The media-room token for the end user (<c>access_token</c> / <c>livekit_client_token</c>); null for a
    /// LiveAvatar session on a caller-supplied LiveKit room.</summary>
    public string? AccessToken { get; internal init; }

    /// <summary>The media-room token for the bot (<c>livekit_agent_token</c>).</summary>
    public required string AgentToken { get; init; }

    /// <summary>The token in the realtime websocket URL's <c>session_token</c> query parameter.</summary>
    public required string RealtimeToken { get; init; }

    /// <summary>LiveAvatar's bearer session token from <c>sessions/token</c>; null for Interactive Avatar sessions.</summary>
    public string? SessionToken { get; internal init; }

    /// <summary>The realtime websocket URL handed to the client.</summary>
    public required Uri RealtimeUrl { get; init; }

    /// <summary>The media server URL handed to the client (never connected to by the emulator); null for a LiveAvatar
    /// session on a caller-supplied LiveKit room.</summary>
    public Uri? LiveKitUrl { get; internal init; }

    /// <summary>The caller's LiveKit room the avatar publishes into (LiveAvatar <c>livekit_config.livekit_room</c>, LITE
    /// mode); null when the avatar is in the service's own room. Nobody joins the emulator's room for such a session:
    /// its avatar plays for no media subscriber, and its speaking events still follow the speech.</summary>
    public string? LiveKitRoom { get; internal init; }

    /// <summary>The avatar id from the request, if any.</summary>
    public string? AvatarId { get; internal init; }

    /// <summary>Whether this is a LiveAvatar sandbox session.</summary>
    public bool IsSandbox { get; internal init; }

    /// <summary>The JSON body of the request that created the session.</summary>
    public string RequestBody { get; }

    /// <summary>When the session was created (emulator clock).</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The current state.</summary>
    public EmulatedSessionState State { get { lock (_gate) { return _state; } } }

    /// <summary>When the session was started, if it was.</summary>
    public DateTimeOffset? StartedAt { get { lock (_gate) { return _startedAt; } } }

    /// <summary>When the session was stopped, if it was.</summary>
    public DateTimeOffset? StoppedAt { get { lock (_gate) { return _stoppedAt; } } }

    /// <summary>Why the session ended: LiveAvatar's stop <c>reason</c> (<c>UNKNOWN</c> when none was sent),
    /// <c>IDLE_TIMEOUT</c> or <c>MAX_DURATION_REACHED</c> when the emulator ended it itself (see
    /// <see cref="HeyGenEmulatorOptions.EnforceSessionLimits"/>); null for an Interactive Avatar stop, which has no reason.</summary>
    public string? StopReason { get { lock (_gate) { return _stopReason; } } }

    /// <summary>How many keep-alives the session received.</summary>
    public int KeepAliveCount { get { lock (_gate) { return _keepAliveCount; } } }

    /// <summary>When the last keep-alive arrived, if any.</summary>
    public DateTimeOffset? LastKeepAliveAt { get { lock (_gate) { return _lastKeepAliveAt; } } }

    /// <summary>How long the session may go without activity (per <see cref="Emulator.IdleRules"/>) before
    /// the service ends it: <c>activity_idle_timeout</c> (default 120 s) on the streaming API, 5 minutes on LiveAvatar.</summary>
    public TimeSpan IdleTimeout { get; internal init; }

    /// <summary>The longest the session may run: <c>session_duration_limit</c> or <c>max_session_duration</c>.</summary>
    public TimeSpan MaxDuration { get; internal init; }

    /// <summary>Completes when the session is stopped (for example so a realtime handler can end the socket).</summary>
    public Task WhenStopped => _stopped.Task;

    /// <summary>Whether the session is still open (not stopped): a test that ends with an open session leaked it.</summary>
    public bool IsOpen => State != EmulatedSessionState.Stopped;

    /// <summary>Counts as user activity whatever the idle rules say, resetting the idle timers (for a custom
    /// realtime handler, which knows best what its messages mean).</summary>
    public void RecordActivity() => OnActivity();

    /// <summary>Records one kind of client activity; it resets the idle timers only when the emulator's
    /// <see cref="IdleRules"/> say it does for this session's product.</summary>
    /// <param name="activity">What the client did.</param>
    /// <returns>True when it reset the idle timers.</returns>
    public bool RecordActivity(IdleActivity activity)
    {
        if (!(IdleRules ?? DefaultRules).Resets(Product, activity))
        {
            return false;
        }

        OnActivity();
        return true;
    }

    private static readonly IdleRules DefaultRules = new();

    private void OnActivity()
    {
        ActivityObserver?.Invoke(this);
        ActivityRecorded?.Invoke(this);
    }

    /// <summary>The rules in force (set when the emulator opens the session).</summary>
    internal IdleRules? IdleRules { get; set; }

    /// <summary>Set by the emulator's session-limit watch, when limits are enforced.</summary>
    internal Action<EmulatedSession>? ActivityObserver { get; set; }

    /// <summary>Raised for activity that resets the idle timers (the realtime side resets its socket timer).</summary>
    internal event Action<EmulatedSession>? ActivityRecorded;

    /// <inheritdoc />
    public override string ToString() => $"{Product} session {Id} ({State})";

    internal bool TryStart(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_state == EmulatedSessionState.Stopped)
            {
                return false;
            }

            // A repeated start (a client retrying after a lost response) is answered like the first one.
            if (_state == EmulatedSessionState.New)
            {
                _state = EmulatedSessionState.Started;
                _startedAt = now;
            }
        }

        RecordActivity(IdleActivity.Start);
        return true;
    }

    internal bool TryStop(DateTimeOffset now, string? reason)
    {
        lock (_gate)
        {
            if (_state == EmulatedSessionState.Stopped)
            {
                return false;
            }

            _state = EmulatedSessionState.Stopped;
            _stoppedAt = now;
            _stopReason = reason;
            _stopped.TrySetResult();
        }

        Stopped?.Invoke(this);
        return true;
    }

    /// <summary>Raised once, after the session was stopped (the emulator then closes its realtime socket and room).</summary>
    internal event Action<EmulatedSession>? Stopped;

    internal bool TryKeepAlive(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_state == EmulatedSessionState.Stopped)
            {
                return false;
            }

            _keepAliveCount++;
            _lastKeepAliveAt = now;
        }

        RecordActivity(IdleActivity.RestKeepAlive);
        return true;
    }
}
