namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>How an emulated realtime session behaves: the service's documented limits and its state reporting.</summary>
public sealed class RealtimeEmulatorOptions
{
    /// <summary>
    /// Whether the session reports <c>session.state_updated: connected</c>. Default true (the docs say it does);
    /// false emulates LiveAvatar LITE sessions seen never to send it.
    /// </summary>
    public bool SendConnectedState { get; set; } = true;

    /// <summary>Time between accepting the socket and reporting <c>connected</c>. Default zero.</summary>
    public TimeSpan ConnectedDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Whether <c>agent.speak</c> before <c>connected</c> is answered with an <c>error</c> (and not played); the docs
    /// say to wait for <c>connected</c> before sending anything. Default true. Has no effect when
    /// <see cref="SendConnectedState"/> is false.
    /// </summary>
    public bool RejectSpeakBeforeConnected { get; set; } = true;

    /// <summary>
    /// Inactivity after which the service closes the session: 120 s is the Interactive Avatar default
    /// (<c>activity_idle_timeout</c>), 300 s LiveAvatar's. Client events count as activity as
    /// <see cref="HeyGenEmulatorOptions.IdleRules"/> say for the product; <see cref="RealtimeSessionContext.RecordActivity()"/>
    /// and the session's accepted activity (for example the REST keep-alive) always reset it. Default 300 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest client message accepted; above it the socket is closed with 1009. Default 1 000 000 bytes (the documented 1 MB).</summary>
    public int MaxMessageBytes { get; set; } = 1_000_000;
}
