namespace Pipeline.HeyGen.Api;

/// <summary>
/// What every avatar provider returns for a started session: enough to open the realtime websocket and join the
/// media room. Mapping: Interactive Avatar <c>access_token</c>/<c>url</c>/<c>realtime_endpoint</c>, LiveAvatar
/// <c>livekit_client_token</c>/<c>livekit_url</c>/<c>ws_url</c>.
/// </summary>
/// <remarks><see cref="ToString"/> redacts the tokens, so the record is safe to log.</remarks>
public sealed record StandardSessionResponse
{
    /// <summary>The provider's session id, used by every later call.</summary>
    public required string SessionId { get; init; }

    /// <summary>The media-room token meant for the end user's client. <see langword="null"/> when LiveAvatar joined
    /// a LiveKit room you supplied yourself.</summary>
    public string? AccessToken { get; init; }

    /// <summary>The media-room token meant for the bot (agent).</summary>
    public required string LiveKitAgentToken { get; init; }

    /// <summary>The media server URL (<c>wss://…</c>). <see langword="null"/> when LiveAvatar joined a LiveKit room
    /// you supplied yourself.</summary>
    public string? LiveKitUrl { get; init; }

    /// <summary>The realtime websocket URL. It may carry a token in its query string: treat it as a secret.</summary>
    public required string WebSocketUrl { get; init; }

    /// <summary>The provider's own response (<see cref="HeyGenSession"/> or <see cref="LiveAvatarSessionData"/>).</summary>
    public required object RawResponse { get; init; }

    /// <summary>A log-safe description: ids and hosts only, tokens redacted.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"StandardSessionResponse {{ SessionId = {SessionId}, AccessToken = {Http.SecretRedactor.Mask(AccessToken)}, " +
        $"LiveKitAgentToken = {Http.SecretRedactor.Mask(LiveKitAgentToken)}, LiveKitUrl = {Http.SecretRedactor.RedactUrl(LiveKitUrl)}, " +
        $"WebSocketUrl = {Http.SecretRedactor.RedactUrl(WebSocketUrl)} }}";
}
