namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// The one model of which client activity resets each product's idle timer, and LiveAvatar's idle timeout. Every
/// idle timer of the emulator (the session's, when <see cref="HeyGenEmulatorOptions.EnforceSessionLimits"/> is on,
/// and the realtime socket's) is reset only by activity these rules accept, so a test pins each assumption by
/// changing one rule. The defaults and their confidence (see docs/heygen-protocol.md, "Idle timeout"):
/// <list type="bullet">
/// <item>Interactive Avatar: start (assumed), REST keep-alive (documented: reference/keep-alive), speech and control
/// (assumed: the docs speak of "user activity"). The websocket <c>session.keep_alive</c> is documented for LiveAvatar
/// LITE only, so it does NOT reset the Interactive timer (unsettled: the live check's <c>keepalive:</c> line).</item>
/// <item>LiveAvatar: start (assumed), REST keep-alive and websocket <c>session.keep_alive</c> (documented: LITE
/// lifecycle), speech and control (assumed).</item>
/// <item>Unknown or malformed socket messages reset neither (assumed).</item>
/// </list>
/// </summary>
public sealed class IdleRules
{
    /// <summary>What resets an Interactive Avatar session's idle timer.</summary>
    public IdleActivity InteractiveAvatar { get; set; } =
        IdleActivity.Start | IdleActivity.RestKeepAlive | IdleActivity.Speech | IdleActivity.Control;

    /// <summary>What resets a LiveAvatar session's idle timer.</summary>
    public IdleActivity LiveAvatar { get; set; } =
        IdleActivity.Start | IdleActivity.RestKeepAlive | IdleActivity.SocketKeepAlive | IdleActivity.Speech | IdleActivity.Control;

    /// <summary>
    /// LiveAvatar's idle timeout. Default 5 minutes (documented for LITE). Its token request has no documented field for
    /// it, so it is an emulator setting; the Interactive Avatar timeout comes from the request's
    /// <c>activity_idle_timeout</c> (default 120 s, documented).
    /// </summary>
    public TimeSpan LiveAvatarIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether <paramref name="activity"/> resets the idle timer of a <paramref name="product"/> session.</summary>
    /// <param name="product">The session's product.</param>
    /// <param name="activity">What the client did.</param>
    /// <returns>True when the activity counts.</returns>
    public bool Resets(EmulatedProduct product, IdleActivity activity) =>
        activity != IdleActivity.None
        && ((product == EmulatedProduct.LiveAvatar ? LiveAvatar : InteractiveAvatar) & activity) == activity;
}
