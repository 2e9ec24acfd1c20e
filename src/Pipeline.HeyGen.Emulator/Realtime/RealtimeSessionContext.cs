using System.Net.WebSockets;
using Pipeline.HeyGen.Emulator.Media;

namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>
/// The realtime side of one started session: its avatar (the one <see cref="EmulatedAvatar"/> that acts on the
/// commands), the recorder of what clients sent, the current websocket, the socket idle timer, and the session's
/// websocket faults. It spans websocket connections (a reconnecting client gets the same session and avatar). The
/// emulator creates it when the session is first used (socket or room) and closes it when the session stops.
/// </summary>
public sealed class RealtimeSessionContext : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly ITimer _idleTimer;
    private RealtimeServerConnection? _current;
    private int _connectionCount;
    private string? _closeReason;
    private int _disposed;

    internal RealtimeSessionContext(EmulatedSession session, RealtimeEmulatorOptions options, SessionFaults faults, EmulatedAvatar avatar, TimeProvider timeProvider)
    {
        Session = session;
        Options = options;
        Faults = faults;
        Avatar = avatar;
        TimeProvider = timeProvider;
        Avatar.Played += OnPlayed;
        Session.ActivityRecorded += OnSessionActivity;
        _idleTimer = TimeProvider.CreateTimer(static self => ((RealtimeSessionContext)self!).OnIdleTimeout(), this,
            Options.IdleTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The session (REST side: ledger entry, tokens, lifecycle).</summary>
    public EmulatedSession Session { get; }

    /// <summary>The session id.</summary>
    public string SessionId => Session.Id;

    /// <summary>The token clients must present in the websocket URL's <c>session_token</c>.</summary>
    public string SessionToken => Session.RealtimeToken;

    /// <summary>Behaviour and limits.</summary>
    public RealtimeEmulatorOptions Options { get; }

    /// <summary>This session's websocket faults (the same object as <c>emulator.Faults.ForSession(SessionId)</c>).</summary>
    public SessionFaults Faults { get; }

    /// <summary>Everything clients sent.</summary>
    public RealtimeEventRecorder Recorder { get; } = new();

    /// <summary>The session's avatar: plays the speech, renders the video, and produces the speak and state events.</summary>
    public EmulatedAvatar Avatar { get; }

    /// <summary>The session clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Websocket connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Whether the session's realtime side is over (idle timeout, <see cref="CloseSession"/>, REST stop);
    /// upgrades are then refused with 410.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_lock) return _closeReason is not null;
        }
    }

    /// <summary>Why the session closed, e.g. <c>IDLE_TIMEOUT</c>; null while open.</summary>
    public string? CloseReason
    {
        get
        {
            lock (_lock) return _closeReason;
        }
    }

    /// <summary>The avatar's state as the service names it: idle, listening or talking.</summary>
    public string AvatarState => StateName(Avatar.Activity);

    /// <summary>Resets the socket idle timer (the receive loop calls this for every client message; a test can call it
    /// for what the REST keep-alive does).</summary>
    public void RecordActivity()
    {
        lock (_lock)
        {
            if (_closeReason is null) _idleTimer.Change(Options.IdleTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Records a client message's kind of activity: it resets the socket idle timer (and the session's, when
    /// limits are enforced) only when the emulator's <see cref="IdleRules"/> count it for this product.</summary>
    internal void RecordActivity(IdleActivity activity) => Session.RecordActivity(activity);

    private void OnSessionActivity(EmulatedSession session) => RecordActivity();

    /// <summary>
    /// Ends the session's realtime side as the service does: <c>session.state_updated</c> closing then closed, then a
    /// normal close of the socket. Later upgrades are refused. Used for the idle timeout and the REST stop.
    /// </summary>
    public void CloseSession(string reason)
    {
        RealtimeServerConnection? connection;
        lock (_lock)
        {
            if (_closeReason is not null) return;
            _closeReason = reason;
            _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            connection = _current;
        }

        if (connection is null) return;
        connection.Send(RealtimeServerMessages.SessionStateUpdated("closing"));
        connection.Send(RealtimeServerMessages.SessionStateUpdated("closed"));
        connection.Close(WebSocketCloseStatus.NormalClosure, reason);
    }

    /// <summary>Drops the current websocket now, without a close frame (a network failure); the session stays open.</summary>
    public void DropConnection()
    {
        RealtimeServerConnection? connection;
        lock (_lock) connection = _current;
        connection?.Abort();
    }

    /// <summary>Sends raw text to the connected client (e.g. malformed JSON mid-session); dropped when none is connected,
    /// as the service does not buffer events for a socket that is gone.</summary>
    public void SendToClient(string text)
    {
        RealtimeServerConnection? connection;
        lock (_lock) connection = _current;
        connection?.Send(text);
    }

    /// <summary>Closes the realtime side (<c>SESSION_STOPPED</c> unless already closed), stops the idle timer and the avatar.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Session.ActivityRecorded -= OnSessionActivity;
        // The session's own limits (idle, duration) report their reason on the socket too.
        CloseSession(Session.StopReason is SessionLimits.IdleTimeoutReason or SessionLimits.MaxDurationReason ? Session.StopReason : "SESSION_STOPPED");
        _idleTimer.Dispose();
        Avatar.Played -= OnPlayed;
        await Avatar.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Makes <paramref name="socket"/> the session's connection; null when the session is already over.</summary>
    internal RealtimeServerConnection? Attach(WebSocket socket, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_closeReason is not null) return null;
            var connection = new RealtimeServerConnection(socket, this, ++_connectionCount, cancellationToken);
            _current = connection;
            return connection;
        }
    }

    internal void Detach(RealtimeServerConnection connection)
    {
        lock (_lock)
        {
            if (_current == connection) _current = null;
        }
    }

    private static string StateName(AvatarActivity activity) => activity switch
    {
        AvatarActivity.Talking => "talking",
        AvatarActivity.Listening => "listening",
        _ => "idle",
    };

    // The avatar's playback events, as the service reports them on the socket.
    private void OnPlayed(AvatarPlaybackEvent played) => SendToClient(played switch
    {
        SpeakStarted e => RealtimeServerMessages.SpeakStarted(e.EventId, e.TaskId),
        SpeakEnded e => RealtimeServerMessages.SpeakEnded(e.EventId, e.TaskId),
        SpeakInterrupted e => RealtimeServerMessages.SpeakInterrupted(e.EventId, e.TaskId),
        ActivityChanged e => RealtimeServerMessages.AgentStateUpdated(StateName(e.Previous), StateName(e.Current)),
        _ => throw new InvalidOperationException($"Unknown playback event {played.GetType().Name}."),
    });

    private void OnIdleTimeout() => CloseSession("IDLE_TIMEOUT");
}
