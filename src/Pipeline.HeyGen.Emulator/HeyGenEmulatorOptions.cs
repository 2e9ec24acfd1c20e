using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Pipeline.HeyGen.Emulator.Sessions;

namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// Handles an accepted realtime websocket for a validated, started session until the conversation ends.
/// The emulator closes nothing itself: when the delegate returns, the request ends and the socket is released.
/// </summary>
/// <param name="socket">The accepted websocket.</param>
/// <param name="session">The session named by the URL's <c>session_id</c>, whose <c>session_token</c> matched.</param>
/// <param name="cancellationToken">Cancelled when the client disconnects or the emulator stops.</param>
/// <returns>A task that completes when the conversation is over.</returns>
public delegate Task EmulatorRealtimeHandler(WebSocket socket, EmulatedSession session, CancellationToken cancellationToken);

/// <summary>Settings of <see cref="HeyGenEmulator"/>.</summary>
public sealed class HeyGenEmulatorOptions
{
    /// <summary>The API key the Interactive Avatar endpoints accept in <c>x-api-key</c>.</summary>
    public string ApiKey { get; set; } = "emulator-heygen-api-key-0001";

    /// <summary>The API key the LiveAvatar endpoints accept in <c>X-API-KEY</c>.</summary>
    public string LiveAvatarApiKey { get; set; } = "emulator-liveavatar-api-key-0001";

    /// <summary>The clock for timestamps and fault delays. Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Serves the realtime websocket paths; without one they answer 501. Can also be set later on
    /// <see cref="HeyGenEmulator.RealtimeHandler"/>.</summary>
    public EmulatorRealtimeHandler? RealtimeHandler { get; set; }

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

    /// <summary>Where Kestrel's own logs go; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>How each session's avatar renders and plays back (size, frame rate).</summary>
    public Media.EmulatedAvatarOptions Avatar { get; set; } = new();

    /// <summary>How the realtime websocket behaves (connected event, limits, idle timeout).</summary>
    public Realtime.RealtimeEmulatorOptions Realtime { get; set; } = new();
}
