using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Pipeline.HeyGen.Emulator;

/// <summary>Settings of <see cref="HeyGenEmulator"/>.</summary>
public sealed class HeyGenEmulatorOptions
{
    /// <summary>The API key the Interactive Avatar endpoints accept in <c>x-api-key</c>.</summary>
    public string ApiKey { get; set; } = "emulator-heygen-api-key-0001";

    /// <summary>The API key the LiveAvatar endpoints accept in <c>X-API-KEY</c>.</summary>
    public string LiveAvatarApiKey { get; set; } = "emulator-liveavatar-api-key-0001";

    /// <summary>The clock for timestamps and fault delays. Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Replaces the emulator's own realtime handler (the session's websocket driving its <see cref="Media.EmulatedAvatar"/>)
    /// on the websocket paths (<see cref="EmulatorPaths.StreamingRealtime"/>, <see cref="EmulatorPaths.LiveAvatarRealtime"/>).
    /// Null (the default) keeps the emulator's own; <see cref="HeyGenEmulator.RealtimeHandler"/> can change it later
    /// (set to null there, the paths answer 501).
    /// </summary>
    /// <remarks>
    /// Called with the accepted websocket, the session named by the URL's <c>session_id</c> (whose
    /// <c>session_token</c> matched and which is started), and a token cancelled when the client disconnects or the
    /// emulator stops. The conversation lasts until the returned task completes; the socket is released afterwards.
    /// <see cref="EmulatedSession.WhenStopped"/> completes when the session is stopped over REST, as the real service
    /// then ends the socket.
    /// </remarks>
    public Func<WebSocket, EmulatedSession, CancellationToken, Task>? RealtimeHandler { get; set; }

    /// <summary>The envelope <c>code</c> LiveAvatar success responses carry. LiveAvatar's OpenAPI schema says 100, its
    /// web SDK expects 1000; default 1000. Set 100 to test the other reading.</summary>
    public int LiveAvatarSuccessCode { get; set; } = 1000;

    /// <summary><c>session_duration_limit</c> returned by streaming.new, in seconds. Default 600 (a trial account).</summary>
    public int SessionDurationLimitSeconds { get; set; } = 600;

    /// <summary><c>is_paid</c> returned by streaming.new. Default false.</summary>
    public bool IsPaidAccount { get; set; }

    /// <summary><c>max_session_duration</c> returned by LiveAvatar start for non-sandbox sessions, in seconds.
    /// Default 1200. Sandbox sessions get 60.</summary>
    public int LiveAvatarMaxSessionDurationSeconds { get; set; } = 1200;

    /// <summary>Avatar ids streaming.new and sessions/token accept; empty (the default) accepts any. An unknown id gets
    /// HeyGen's code 10013 "avatar not found".</summary>
    public ICollection<string> KnownAvatarIds { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Whether sessions end by themselves like on the real services: after their idle timeout without activity
    /// (<c>activity_idle_timeout</c>, default 120 s; LiveAvatar 5 minutes) and after their maximum duration
    /// (<see cref="SessionDurationLimitSeconds"/>, <see cref="LiveAvatarMaxSessionDurationSeconds"/>, sandbox 60 s).
    /// Default false, so a slow test machine never loses a session; turn it on with a fake
    /// <see cref="TimeProvider"/> to test keep-alive and expiry handling.
    /// </summary>
    public bool EnforceSessionLimits { get; set; }

    /// <summary>
    /// Serve only the realtime websocket paths (and the media room): no REST endpoints. Sessions are opened with
    /// <see cref="HeyGenEmulator.OpenRealtimeSession"/>. For tests of realtime clients that need no REST client.
    /// Default false.
    /// </summary>
    public bool RealtimeOnly { get; set; }

    /// <summary>Which client activity resets each product's idle timer, and LiveAvatar's idle timeout.</summary>
    public IdleRules IdleRules { get; set; } = new();

    /// <summary>
    /// Never report <c>session.state_updated: connected</c> on the realtime socket, as LiveAvatar LITE sessions reportedly
    /// behave (and then never refuse speech for arriving before it). Shorthand for
    /// <see cref="Realtime.RealtimeEmulatorOptions.SendConnectedState"/> = false. Default false.
    /// </summary>
    public bool NeverSendConnected { get; set; }

    /// <summary>Where Kestrel's own logs and the emulator's (avatar stalls, realtime connections) go; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>How each session's avatar renders and plays back (size, frame rate).</summary>
    public Media.EmulatedAvatarOptions Avatar { get; set; } = new();

    /// <summary>How the realtime websocket behaves (connected event, limits, idle timeout).</summary>
    public Realtime.RealtimeEmulatorOptions Realtime { get; set; } = new();
}
