namespace HeyGenLiveCheck;

/// <summary>What the live check runs against, and how long it waits.</summary>
public sealed class LiveCheckOptions
{
    /// <summary>Which service to check.</summary>
    public LiveCheckTarget Target { get; init; } = LiveCheckTarget.Emulator;

    /// <summary>The API key for <see cref="LiveCheckTarget.LiveAvatar"/> or <see cref="LiveCheckTarget.InteractiveAvatar"/>.
    /// Secret: never printed.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The idle timeout requested for the session (Interactive: <c>activity_idle_timeout</c>, at least 30 s;
    /// the client's keep-alive interval is a third of it). Default 30 s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The keep-alive interval; null derives it from <see cref="IdleTimeout"/> (a third).</summary>
    public TimeSpan? KeepAliveInterval { get; init; }

    /// <summary>How long the check stays silent to see a keep-alive go out. Default: the keep-alive interval plus 2 s.</summary>
    public TimeSpan? IdleWait { get; init; }

    /// <summary>Upper bound for each wait on the service (an event, a frame). Default 15 s.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Upper bound for closing the session, even after Ctrl+C. Default 10 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal TimeSpan EffectiveKeepAliveInterval => KeepAliveInterval ?? IdleTimeout / 3;

    internal TimeSpan EffectiveIdleWait => IdleWait ?? EffectiveKeepAliveInterval + TimeSpan.FromSeconds(2);
}

/// <summary>The service a live check talks to.</summary>
public enum LiveCheckTarget
{
    /// <summary>The in-repo emulator (LiveAvatar product, sandbox): free and offline.</summary>
    Emulator,

    /// <summary>LiveAvatar in sandbox mode (<c>LIVEAVATAR_API_KEY</c>): costs nothing, lasts about a minute.</summary>
    LiveAvatar,

    /// <summary>HeyGen's Interactive Avatar API (<c>HEYGEN_API_KEY</c>): billed; a short session.</summary>
    InteractiveAvatar,
}
