using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Emulator.Realtime;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// What the emulator runs for each started session once it is used (its socket connects or its room is joined): one
/// <see cref="RealtimeSessionContext"/> with its one <see cref="EmulatedAvatar"/>. Closed when the session stops.
/// </summary>
internal sealed class LiveSessions : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<RealtimeSessionContext>> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _closing = [];
    private readonly EmulatorState _state;
    private readonly ILoggerFactory _loggerFactory;
    private readonly RealtimeSessionHandler _handler;

    public LiveSessions(EmulatorState state)
    {
        _state = state;
        _loggerFactory = state.Options.LoggerFactory ?? NullLoggerFactory.Instance;
        _handler = new RealtimeSessionHandler(_loggerFactory.CreateLogger<RealtimeSessionHandler>());
        Connector = new EmulatedMediaConnector(FindAvatarForMedia, state.Faults, state.Time);
    }

    /// <summary>Joins a session's room (the avatar participant is the session's emulated avatar).</summary>
    public IAvatarMediaConnector Connector { get; }

    /// <summary>The realtime state of a session, once it has been used.</summary>
    public RealtimeSessionContext? Find(string sessionId) => _live.TryGetValue(sessionId, out var live) ? live.Value : null;

    /// <summary>The default realtime handler: the session's socket drives its avatar.</summary>
    public async Task HandleRealtimeAsync(WebSocket socket, EmulatedSession session, CancellationToken cancellationToken)
    {
        RealtimeSessionContext? live = GetOrCreate(session);
        if (live is null)
        {
            await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "session stopped", cancellationToken).ConfigureAwait(false);
            return;
        }

        await _handler.HandleAsync(socket, live, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The session's live state, created on first use; null once the session has stopped.</summary>
    public RealtimeSessionContext? GetOrCreate(EmulatedSession session)
    {
        bool created = false;
        RealtimeSessionContext live = _live.GetOrAdd(session.Id, id => new Lazy<RealtimeSessionContext>(() =>
        {
            created = true;
            var avatar = new EmulatedAvatar(id, _state.Options.Avatar, _state.Time, _loggerFactory.CreateLogger<EmulatedAvatar>());
            return new RealtimeSessionContext(session, RealtimeOptions(), _state.Faults.ForSession(id), avatar, _state.Time);
        })).Value;
        if (created)
        {
            session.Stopped += OnSessionStopped;
            live.Avatar.Start();
        }

        if (!session.IsOpen)
        {
            OnSessionStopped(session);
            return null;
        }

        return live;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (string id in _live.Keys)
        {
            await CloseAsync(id).ConfigureAwait(false);
        }

        await Task.WhenAll(_closing).ConfigureAwait(false);
    }

    // NeverSendConnected overrides the realtime options' SendConnectedState without changing the caller's object.
    private RealtimeEmulatorOptions RealtimeOptions()
    {
        var options = _state.Options.Realtime;
        return !_state.Options.NeverSendConnected ? options : new RealtimeEmulatorOptions
        {
            SendConnectedState = false,
            ConnectedDelay = options.ConnectedDelay,
            RejectSpeakBeforeConnected = options.RejectSpeakBeforeConnected,
            IdleTimeout = options.IdleTimeout,
            MaxMessageBytes = options.MaxMessageBytes,
        };
    }

    private EmulatedAvatar? FindAvatarForMedia(string sessionId, string token)
    {
        EmulatedSession? session = _state.Sessions.Find(sessionId);
        if (session is null || session.State != EmulatedSessionState.Started)
        {
            return null;
        }

        bool valid = Matches(token, session.AccessToken) || Matches(token, session.AgentToken);
        return valid ? GetOrCreate(session)?.Avatar : null;
    }

    // Runs on the request that stopped the session (or a limit's timer); the close is awaited by DisposeAsync.
    private void OnSessionStopped(EmulatedSession session) => _closing.Add(CloseAsync(session.Id).AsTask());

    private async ValueTask CloseAsync(string sessionId)
    {
        if (_live.TryRemove(sessionId, out var live))
        {
            await live.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static bool Matches(string presented, string? expected) =>
        expected is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}
