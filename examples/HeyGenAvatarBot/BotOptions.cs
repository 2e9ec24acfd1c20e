namespace HeyGenAvatarBot;

/// <summary>Where the user's speech comes from.</summary>
internal enum InputMode
{
    /// <summary>The browser playground: the page's microphone over the WebSocket transport; the avatar back to the page.</summary>
    Playground,

    /// <summary>Shipped recordings of a short conversation, played in real time; writes avatar.mp4 and exits.</summary>
    Scripted,

    /// <summary>Your LiveKit room: the bot listens there (LiveKit transport) and the avatar publishes into it (direct-room mode).</summary>
    LiveKit,
}

/// <summary>Which avatar provider speaks: HeyGen (its own session protocol) or a LiveKit avatar worker.</summary>
internal enum AvatarProvider
{
    /// <summary>HeyGen: LiveAvatar or the Interactive Avatar API, or its emulator offline.</summary>
    HeyGen,

    /// <summary>Beyond Presence's LiveKit avatar worker in a LiveKit room; offline, the emulated worker on the loopback SFU.</summary>
    Bey,
}

/// <summary>Which engines listen, think and speak.</summary>
internal enum EngineChoice
{
    /// <summary>OpenAI when <c>OPENAI_API_KEY</c> is set, the local engines otherwise.</summary>
    Auto,

    /// <summary>pocketsphinx, the scripted responder and espeak-ng: offline, no key.</summary>
    Local,

    /// <summary>OpenAI's speech-to-text, chat and text-to-speech models (needs <c>OPENAI_API_KEY</c>).</summary>
    OpenAI,
}

/// <summary>Everything a run of the bot needs to know, decided from the command line and the environment.</summary>
internal sealed record BotOptions
{
    public const string OpenAIKeyVariable = "OPENAI_API_KEY";

    public InputMode Mode { get; init; } = InputMode.Playground;

    /// <summary>The playground's port on 127.0.0.1 (0: one the OS chooses).</summary>
    public int Port { get; init; } = 8765;

    public EngineChoice Engines { get; init; } = EngineChoice.Auto;

    /// <summary>The OpenAI key (from <c>OPENAI_API_KEY</c>); never printed.</summary>
    public string? OpenAIKey { get; init; }

    public string LlmModel { get; init; } = "gpt-4o-mini";

    public string SttModel { get; init; } = "gpt-4o-mini-transcribe";

    public string TtsModel { get; init; } = "gpt-4o-mini-tts";

    public string TtsVoice { get; init; } = "alloy";

    /// <summary>The avatar product and key; a null key runs the avatar on the in-process HeyGen emulator.</summary>
    public ProductChoice Avatar { get; init; } = new(null, LiveAvatar: true);

    public string? AvatarId { get; init; }

    /// <summary>Which provider the avatar is.</summary>
    public AvatarProvider Provider { get; init; } = AvatarProvider.HeyGen;

    /// <summary>The Beyond Presence key and API of <see cref="AvatarProvider.Bey"/> runs (null otherwise); a null key runs the
    /// emulated worker offline.</summary>
    public BeyondPresenceSettings? Bey { get; init; }

    /// <summary>The LiveKit room of <see cref="InputMode.LiveKit"/> runs and of keyed <see cref="AvatarProvider.Bey"/> runs
    /// (null otherwise: offline, the Beyond Presence worker meets the bot on the loopback SFU).</summary>
    public LiveKitRoomSettings? LiveKit { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>Emulated avatar video width in pixels (even: H.264 4:2:0).</summary>
    public int Width { get; init; } = 640;

    /// <summary>Emulated avatar video height in pixels (even: H.264 4:2:0).</summary>
    public int Height { get; init; } = 360;

    /// <summary>Emulated avatar frame rate in frames per second.</summary>
    public double FrameRate { get; init; } = 25;

    /// <summary>How many of the scripted turns to play (1 to all).</summary>
    public int? Turns { get; init; }

    public string AssetsDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "Assets");

    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Warning;

    /// <summary>Whether OpenAI answers, listens and speaks in this run.</summary>
    public bool UsesOpenAI => Engines == EngineChoice.OpenAI || (Engines == EngineChoice.Auto && OpenAIKey is not null);

    /// <summary>Whether the avatar is the provider's own (billed) rather than an emulator.</summary>
    public bool UsesRealAvatar => Provider == AvatarProvider.Bey ? Bey?.ApiKey is not null : Avatar.ApiKey is not null;

    /// <summary>The run's choices without the keys (a record's generated ToString would print every property).</summary>
    public override string ToString() =>
        $"BotOptions {{ Mode = {Mode}, Avatar = {Provider}, Port = {Port}, Engines = {Engines}, LlmModel = {LlmModel}, OpenAI = {UsesOpenAI}, RealAvatar = {UsesRealAvatar} }}";
}
