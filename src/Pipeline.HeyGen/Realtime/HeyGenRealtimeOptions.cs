using System.Net.WebSockets;

namespace Pipeline.HeyGen.Realtime;

/// <summary>Settings of a <see cref="HeyGenRealtimeClient"/>. Every timing is an option so tests and deployments can tune it.</summary>
public sealed class HeyGenRealtimeOptions
{
    /// <summary>The service's documented limit for one websocket message: it may close the socket above 1 MB.</summary>
    public const int ServiceMessageLimitBytes = 1_000_000;

    /// <summary>Which product the session belongs to; decides the keep-alive mechanism. Default LiveAvatar.</summary>
    public HeyGenProduct Product { get; set; } = HeyGenProduct.LiveAvatar;

    /// <summary>
    /// Keeps an Interactive Avatar session alive over REST (<c>POST /v1/streaming.keep_alive</c>); required when
    /// <see cref="Product"/> is <see cref="HeyGenProduct.InteractiveAvatar"/> and keep-alive is enabled, because that
    /// product documents only the REST call. Called every <see cref="KeepAliveInterval"/>; failures are logged.
    /// </summary>
    public Func<CancellationToken, Task>? RestKeepAlive { get; set; }

    /// <summary>Whether the client keeps the session alive on its own. Default true.</summary>
    public bool KeepAliveEnabled { get; set; } = true;

    /// <summary>
    /// The session's idle timeout. Null means the session's own: the <c>activity_idle_timeout</c> of an Interactive
    /// Avatar <c>NewSessionRequest</c> when the video service created the session with one, otherwise the product
    /// default: 120 s for Interactive Avatar, 300 s for LiveAvatar (whose token request has no idle-timeout field).
    /// </summary>
    /// <remarks>
    /// What resets the idle timer, per product, with how sure it is ((doc) the vendor's documentation, (code) another
    /// client relies on it, (?) unverified):
    /// <list type="bullet">
    /// <item>Interactive Avatar: <c>POST /v1/streaming.keep_alive</c> (doc) — what this client sends. The websocket's
    /// <c>session.keep_alive</c> is documented for LiveAvatar only (?), and speech (<c>agent.speak</c>) is not
    /// documented as activity (?): a session that only speaks is not assumed to stay alive.</item>
    /// <item>LiveAvatar: the websocket's <c>session.keep_alive</c> (doc, LITE events) — what this client sends — and
    /// <c>POST /v1/sessions/keep-alive</c> (doc). Speech as activity is not documented (?).</item>
    /// </list>
    /// </remarks>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>
    /// Time between keep-alives. Null means a third of the idle timeout (40 s for Interactive Avatar's default 120 s,
    /// 10 s for <c>activity_idle_timeout = 30</c>, 100 s for LiveAvatar's 5 minutes), so two in a row may fail before
    /// the session dies. Keep-alives are sent whether or not the bot speaks, because speech is not known to count as
    /// activity (see <see cref="IdleTimeout"/>).
    /// </summary>
    public TimeSpan? KeepAliveInterval { get; set; }

    /// <summary>Longest time the websocket handshake may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for <c>session.state_updated: connected</c> before the first speak. Default 5 s.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether an utterance's first <c>agent.speak</c> waits (up to <see cref="ReadyTimeout"/>) for
    /// <c>session.state_updated: connected</c>. Default false: speech goes at once, because LiveAvatar LITE may never
    /// send the event and the wait would delay every first utterance by the whole timeout.
    /// </summary>
    public bool WaitForConnected { get; set; }

    /// <summary>What to do when the ready wait times out. Default <see cref="ReadinessFallback.AssumeReady"/>.</summary>
    public ReadinessFallback ReadinessFallback { get; set; } = ReadinessFallback.AssumeReady;

    /// <summary>Whether speak audio is paced to real time after the first <see cref="UnpacedBurst"/>. Default true.</summary>
    public bool PaceToRealTime { get; set; } = true;

    /// <summary>Audio of an utterance sent at once before pacing starts, so the avatar's buffer fills fast. Default 3 s.</summary>
    public TimeSpan UnpacedBurst { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest audio in one <c>agent.speak</c> message; the docs recommend about 1 s. Default 1 s (48 000 bytes).</summary>
    public TimeSpan SpeakChunkDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest websocket message the client sends, in bytes; audio is split to stay under it. Default 1 000 000.</summary>
    public int MaxMessageBytes { get; set; } = ServiceMessageLimitBytes;

    /// <summary>
    /// How long after its <c>agent.speak_end</c> was sent an utterance still counts as possibly undelivered when the
    /// service has not acknowledged it (<c>agent.audio_buffer_committed</c>, <c>agent.speak_ended</c> or
    /// <c>agent.speak_interrupted</c>). A connection drop within that time reports it in
    /// <see cref="HeyGenRealtimeClient.AudioLost"/> and faults its completion. Default 10 s.
    /// </summary>
    public TimeSpan EndAcknowledgementTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reconnect attempts after an unexpected close; 0 disables reconnecting. Default 5.</summary>
    public int MaxReconnectAttempts { get; set; } = 5;

    /// <summary>Wait before the first reconnect attempt; doubles on each further attempt. Default 500 ms.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound of the reconnect wait. Default 10 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for the server's close frame when closing. Default 2 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Messages that may wait to be sent; speak calls wait when it is full. Default 32 (about 32 s of audio).</summary>
    public int SendQueueCapacity { get; set; } = 32;

    /// <summary>Server events kept for <see cref="HeyGenRealtimeClient.ReadEventsAsync"/>; the oldest are dropped beyond it. Default 256.</summary>
    public int EventBufferCapacity { get; set; } = 256;

    /// <summary>Adjusts the websocket before each connect (proxy, headers, certificates).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>
    /// Secrets to remove from the service's error and warning texts before they are logged or handed on (for
    /// example the session's LiveKit tokens); the endpoint URL's own token values are always removed.
    /// </summary>
    public IReadOnlyCollection<string> KnownSecrets { get; set; } = [];

    internal TimeSpan EffectiveIdleTimeout =>
        IdleTimeout ?? (Product == HeyGenProduct.InteractiveAvatar ? TimeSpan.FromSeconds(120) : TimeSpan.FromMinutes(5));

    internal TimeSpan EffectiveKeepAliveInterval => KeepAliveInterval ?? EffectiveIdleTimeout / 3;

    /// <summary>A copy of these options (delegates are shared), so a session can adjust its own.</summary>
    public HeyGenRealtimeOptions Clone() => (HeyGenRealtimeOptions)MemberwiseClone();

    internal void Validate()
    {
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(SpeakChunkDuration, nameof(SpeakChunkDuration));
        RequirePositive(CloseTimeout, nameof(CloseTimeout));
        RequirePositive(EndAcknowledgementTimeout, nameof(EndAcknowledgementTimeout));
        if (ReadyTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ReadyTimeout), "must not be negative");
        if (UnpacedBurst < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(UnpacedBurst), "must not be negative");
        if (ReconnectInitialDelay < TimeSpan.Zero || ReconnectMaxDelay < ReconnectInitialDelay)
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), "reconnect delays must satisfy 0 <= initial <= max");
        if (MaxMessageBytes is < 4096 or > ServiceMessageLimitBytes)
            throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), $"must be between 4096 and {ServiceMessageLimitBytes}");
        if (MaxReconnectAttempts < 0) throw new ArgumentOutOfRangeException(nameof(MaxReconnectAttempts), "must not be negative");
        if (SendQueueCapacity < 1) throw new ArgumentOutOfRangeException(nameof(SendQueueCapacity), "must be at least 1");
        if (EventBufferCapacity < 1) throw new ArgumentOutOfRangeException(nameof(EventBufferCapacity), "must be at least 1");
        if (KeepAliveEnabled)
        {
            RequirePositive(EffectiveKeepAliveInterval, nameof(KeepAliveInterval));
            if (EffectiveKeepAliveInterval >= EffectiveIdleTimeout)
                throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), "must be shorter than the idle timeout");
            if (Product == HeyGenProduct.InteractiveAvatar && RestKeepAlive is null)
                throw new ArgumentException(
                    "Interactive Avatar sessions are kept alive over REST: set RestKeepAlive (POST /v1/streaming.keep_alive) or disable keep-alive.",
                    nameof(RestKeepAlive));
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, "must be positive");
    }
}
