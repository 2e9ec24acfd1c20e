using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Emulator.Realtime;

namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>
/// What the emulator runs for each started session: its realtime websocket state and the avatar that plays the
/// speech back and renders the video, created when the session is first used and closed when it stops.
/// </summary>
internal sealed class AvatarRooms : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Room>> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _closing = [];
    private readonly SessionLedger _sessions;
    private readonly EmulatedAvatarOptions _avatarOptions;
    private readonly RealtimeEmulatorOptions _realtimeOptions;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly RealtimeSessionHandler _handler;

    public AvatarRooms(SessionLedger sessions, EmulatedAvatarOptions avatarOptions, RealtimeEmulatorOptions realtimeOptions, TimeProvider timeProvider, ILoggerFactory? loggerFactory)
    {
        _sessions = sessions;
        _avatarOptions = avatarOptions;
        _realtimeOptions = realtimeOptions;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _handler = new RealtimeSessionHandler(_loggerFactory.CreateLogger<RealtimeSessionHandler>());
        Connector = new EmulatedMediaConnector(FindAvatarForMedia);
    }

    /// <summary>Joins a session's room (the avatar participant is the emulated avatar).</summary>
    public IAvatarMediaConnector Connector { get; }

    /// <summary>The realtime state of a session, once a socket has connected.</summary>
    public RealtimeSessionContext? FindRealtime(string sessionId) => _rooms.TryGetValue(sessionId, out Lazy<Room>? room) ? room.Value.Realtime : null;

    /// <summary>The avatar of a session, once its socket or room has been used.</summary>
    public EmulatedAvatar? FindAvatar(string sessionId) => _rooms.TryGetValue(sessionId, out Lazy<Room>? room) ? room.Value.Avatar : null;

    /// <summary>The default realtime handler: the session's socket drives its avatar.</summary>
    public Task HandleRealtimeAsync(WebSocket socket, EmulatedSession session, CancellationToken cancellationToken)
    {
        Room? room = GetOrCreate(session);
        if (room is null)
        {
            return socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "session stopped", cancellationToken);
        }

        return _handler.HandleAsync(socket, room.Realtime, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (string id in _rooms.Keys)
        {
            await CloseAsync(id).ConfigureAwait(false);
        }

        await Task.WhenAll(_closing).ConfigureAwait(false);
    }

    private EmulatedAvatar? FindAvatarForMedia(string sessionId, string token)
    {
        EmulatedSession? session = _sessions.Find(sessionId);
        if (session is null || session.State != EmulatedSessionState.Started)
        {
            return null;
        }

        bool valid = Matches(token, session.AccessToken) || Matches(token, session.AgentToken);
        return valid ? GetOrCreate(session)?.Avatar : null;
    }

    private Room? GetOrCreate(EmulatedSession session)
    {
        Room room = _rooms.GetOrAdd(session.Id, _ => new Lazy<Room>(() => new Room(
            new RealtimeSessionContext(session.Id, session.RealtimeToken, _realtimeOptions, _timeProvider),
            new EmulatedAvatar(session.Id, _avatarOptions, _timeProvider, _loggerFactory.CreateLogger<EmulatedAvatar>())))).Value;
        if (room.Attach(session, OnSessionStopped))
        {
            room.Realtime.MediaAvatar = room.Avatar;
            room.Avatar.Start();
        }

        if (!session.IsOpen)
        {
            OnSessionStopped(session);
            return null;
        }

        return room;
    }

    // Runs on the REST request that stopped the session; the close is awaited by DisposeAsync.
    private void OnSessionStopped(EmulatedSession session) => _closing.Add(CloseAsync(session.Id).AsTask());

    private async ValueTask CloseAsync(string sessionId)
    {
        if (_rooms.TryRemove(sessionId, out Lazy<Room>? lazy))
        {
            Room room = lazy.Value;
            room.Realtime.CloseSession("SESSION_STOPPED");
            await room.Avatar.DisposeAsync().ConfigureAwait(false);
            room.Realtime.Dispose();
        }
    }

    private static bool Matches(string presented, string? expected) =>
        expected is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    private sealed class Room(RealtimeSessionContext realtime, EmulatedAvatar avatar)
    {
        private int _attached;

        public RealtimeSessionContext Realtime { get; } = realtime;

        public EmulatedAvatar Avatar { get; } = avatar;

        public bool Attach(EmulatedSession session, Action<EmulatedSession> onStopped)
        {
            if (Interlocked.Exchange(ref _attached, 1) != 0)
            {
                return false;
            }

            session.Stopped += onStopped;
            return true;
        }
    }
}
