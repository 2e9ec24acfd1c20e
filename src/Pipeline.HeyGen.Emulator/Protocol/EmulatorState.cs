using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>What the endpoint handlers share: settings, clock, ledger, issued secrets and the bound address.</summary>
internal sealed class EmulatorState(HeyGenEmulatorOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, byte> _streamingTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _secrets = new([options.ApiKey, options.LiveAvatarApiKey]);

    private readonly CancellationTokenSource _stopping = new();

    public HeyGenEmulatorOptions Options { get; } = options;

    /// <summary>Cancelled when the emulator shuts down, so long-running handlers (websockets) end.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public void SignalStopping() => _stopping.Cancel();

    public void Dispose()
    {
        Limits.Dispose();
        SessionTokens.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Adds a new session to the ledger and, when limits are enforced, starts its idle and duration timers.</summary>
    public void Open(EmulatedSession session)
    {
        session.IdleRules = Options.IdleRules;
        Sessions.Add(session);
        if (Options.EnforceSessionLimits)
        {
            Limits.Watch(session);
        }
    }

    public TimeProvider Time => Options.TimeProvider;

    public SessionLedger Sessions { get; } = new();

    private SessionLimits Limits { get; } = new(options.TimeProvider);

    public EmulatorFaults Faults { get; } = new();

    /// <summary>Issues LiveAvatar's JWT-shaped session tokens.</summary>
    public SessionTokenJwt SessionTokens { get; } = new();

    /// <summary>A LiveAvatar session token (a JWT carrying the session's mode), registered as a secret.</summary>
    public string NewSessionToken(string sessionId, string mode, string avatarId, bool sandbox)
    {
        var token = SessionTokens.Issue(sessionId, mode, avatarId, sandbox, Time.GetUtcNow(), TimeSpan.FromHours(1));
        _secrets.Enqueue(token);
        return token;
    }

    public RequestJournal Requests { get; } = new();

    public Func<System.Net.WebSockets.WebSocket, EmulatedSession, CancellationToken, Task>? RealtimeHandler { get; set; } = options.RealtimeHandler;

    /// <summary>The bound port; set once Kestrel has started, before any client can know the address.</summary>
    public int Port { get; set; }

    /// <summary>Every key and token the emulator accepts or handed out, for leak checks.</summary>
    public IReadOnlyCollection<string> Secrets => [.. _secrets];

    public string NewSecret(string prefix)
    {
        var secret = prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        _secrets.Enqueue(secret);
        return secret;
    }

    /// <summary>Remembers a secret the caller gave the emulator (e.g. the avatar's token in <c>livekit_config</c>).</summary>
    public void AcceptSecret(string secret) => _secrets.Enqueue(secret);

    public string IssueStreamingToken()
    {
        var token = NewSecret("emu-st-");
        _streamingTokens[token] = 0;
        return token;
    }

    public bool IsStreamingToken(string token) => _streamingTokens.ContainsKey(token);

    /// <summary>
    /// Creates and starts a session without the REST calls (the realtime-only mode's way in; also handy in full mode):
    /// the same credentials and URLs as <c>streaming.new</c> + <c>streaming.start</c> (or LiveAvatar's token + start).
    /// </summary>
    public EmulatedSession OpenStartedSession(EmulatedProduct product)
    {
        var id = Guid.NewGuid().ToString();
        var realtimeToken = NewSecret("emu-rt-");
        var liveAvatar = product == EmulatedProduct.LiveAvatar;
        var session = new EmulatedSession(product, id, Time.GetUtcNow(), "{}")
        {
            SessionToken = liveAvatar ? NewSessionToken(id, "LITE", "emulator-avatar", sandbox: false) : null,
            AccessToken = NewSecret("emu-at-"),
            AgentToken = NewSecret("emu-agent-"),
            RealtimeToken = realtimeToken,
            RealtimeUrl = RealtimeUrl(RealtimePath(product), id, realtimeToken),
            LiveKitUrl = MediaUrl(id),
            IdleTimeout = liveAvatar ? Options.IdleRules.LiveAvatarIdleTimeout : TimeSpan.FromSeconds(120),
            MaxDuration = TimeSpan.FromSeconds(liveAvatar ? Options.LiveAvatarMaxSessionDurationSeconds : Options.SessionDurationLimitSeconds),
        };
        Open(session);
        session.TryStart(Time.GetUtcNow());
        return session;
    }

    /// <summary>The realtime websocket path of a product's sessions.</summary>
    public static string RealtimePath(EmulatedProduct product) =>
        product == EmulatedProduct.LiveAvatar ? EmulatorPaths.LiveAvatarRealtime : EmulatorPaths.StreamingRealtime;

    public Uri RealtimeUrl(string path, string sessionId, string token) =>
        new($"ws://127.0.0.1:{Port}{path}?session_id={Uri.EscapeDataString(sessionId)}&session_token={Uri.EscapeDataString(token)}");

    /// <summary>A well-formed media URL that nobody can connect to: the emulator never serves media itself; the
    /// caller chooses a media connector (for example an in-process one) that understands it.</summary>
    public static Uri MediaUrl(string sessionId) => Media.EmulatedMediaConnector.RoomUrl(sessionId);
}
