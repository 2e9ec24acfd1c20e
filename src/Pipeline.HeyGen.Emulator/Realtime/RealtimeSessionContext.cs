using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>
/// The realtime side of one emulated HeyGen session: its credentials, behaviour, faults, the recorder of what clients
/// sent, the avatar's state, and the idle timer. It spans websocket connections (a reconnecting client gets the same
/// session). Create one per <c>streaming.new</c>/<c>sessions/start</c> and hand it to
/// <see cref="RealtimeSessionHandler.HandleAsync"/> for each accepted socket.
/// </summary>
public sealed class RealtimeSessionContext : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ITimer _idleTimer;
    private RealtimeServerConnection? _current;
    private int _connectionCount;
    private string? _closeReason;

    /// <summary>Creates the session's realtime state and starts its idle timer.</summary>
    /// <param name="sessionId">The session id clients must present.</param>
    /// <param name="sessionToken">The token clients must present (compared in constant time).</param>
    /// <param name="options">Behaviour and limits; defaults when null.</param>
    /// <param name="timeProvider">The session clock (idle timeout, playback, delays, timestamps); system time when null.</param>
    public RealtimeSessionContext(string sessionId, string sessionToken, RealtimeEmulatorOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        ArgumentException.ThrowIfNullOrEmpty(sessionToken);
        SessionId = sessionId;
        SessionToken = sessionToken;
        Options = options ?? new RealtimeEmulatorOptions();
        TimeProvider = timeProvider ?? TimeProvider.System;
        Avatar = new EmulatedAvatar(TimeProvider, SendToClient);
        _idleTimer = TimeProvider.CreateTimer(static self => ((RealtimeSessionContext)self!).OnIdleTimeout(), this,
            Options.IdleTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The session id.</summary>
    public string SessionId { get; }

    /// <summary>The session token.</summary>
    public string SessionToken { get; }

    /// <summary>Behaviour and limits.</summary>
    public RealtimeEmulatorOptions Options { get; }

    /// <summary>Faults to inject.</summary>
    public RealtimeFaults Faults { get; } = new();

    /// <summary>Everything clients sent.</summary>
    public RealtimeEventRecorder Recorder { get; } = new();

    /// <summary>The session clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Websocket connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Whether the session is over (idle timeout or <see cref="CloseSession"/>); upgrades are then refused.</summary>
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

    /// <summary>The avatar's state: idle, listening or talking.</summary>
    public string AvatarState => Avatar.State;

    internal EmulatedAvatar Avatar { get; }

    /// <summary>
    /// The avatar that renders this session's video and plays its speech back, when the emulator runs one (see
    /// <see cref="Media.EmulatedAvatar"/>); it receives the same speak, end, interrupt and listening commands.
    /// </summary>
    public Media.EmulatedAvatar? MediaAvatar { get; set; }

    /// <summary>Whether <paramref name="sessionId"/> and <paramref name="token"/> are this session's.</summary>
    public bool Authorize(string? sessionId, string? token) =>
        sessionId == SessionId && token is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(SessionToken));

    /// <summary>Resets the idle timer; the REST <c>streaming.keep_alive</c> handler calls this.</summary>
    public void RecordActivity()
    {
        lock (_lock)
        {
            if (_closeReason is null) _idleTimer.Change(Options.IdleTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Ends the session as the service does: <c>session.state_updated</c> closing then closed, then a normal close of
    /// the socket. Later upgrades are refused. Used for the idle timeout and by the REST stop endpoints.
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

    /// <summary>Sends raw text to the connected client (e.g. malformed JSON mid-session); dropped when none is connected.</summary>
    public void SendToClient(string text)
    {
        RealtimeServerConnection? connection;
        lock (_lock) connection = _current;
        connection?.Send(text);
    }

    /// <summary>Stops the idle and playback timers.</summary>
    public void Dispose()
    {
        _idleTimer.Dispose();
        Avatar.Dispose();
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

    private void OnIdleTimeout() => CloseSession("IDLE_TIMEOUT");
}
