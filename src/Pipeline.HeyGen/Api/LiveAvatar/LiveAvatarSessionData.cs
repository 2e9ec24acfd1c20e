using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>The <c>data</c> of a <c>sessions/start</c> response.</summary>
/// <remarks><see cref="ToString"/> redacts the tokens.</remarks>
public sealed record LiveAvatarSessionData
{
    /// <summary>The session id.</summary>
    [JsonPropertyName("session_id")]
    public required string SessionId { get; init; }

    /// <summary>LiveAvatar's LiveKit server URL; <see langword="null"/> when you supplied your own room.</summary>
    [JsonPropertyName("livekit_url")]
    public string? LiveKitUrl { get; init; }

    /// <summary>The LiveKit token for the end user; may be <see langword="null"/> with your own room.</summary>
    [JsonPropertyName("livekit_client_token")]
    public string? LiveKitClientToken { get; init; }

    /// <summary>The LiveKit token for the bot (agent).</summary>
    [JsonPropertyName("livekit_agent_token")]
    public required string LiveKitAgentToken { get; init; }

    /// <summary>The longest the session may run, in seconds, when the server says.</summary>
    [JsonPropertyName("max_session_duration")]
    public int? MaxSessionDuration { get; init; }

    /// <summary>The LITE-mode control websocket URL.</summary>
    [JsonPropertyName("ws_url")]
    public required string WsUrl { get; init; }

    /// <summary>A log-safe description with the tokens redacted.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"LiveAvatarSessionData {{ SessionId = {SessionId}, LiveKitUrl = {Http.SecretRedactor.RedactUrl(LiveKitUrl)}, " +
        $"LiveKitClientToken = {Http.SecretRedactor.Mask(LiveKitClientToken)}, LiveKitAgentToken = {Http.SecretRedactor.Mask(LiveKitAgentToken)}, " +
        $"MaxSessionDuration = {MaxSessionDuration}, WsUrl = {Http.SecretRedactor.RedactUrl(WsUrl)} }}";
}

/// <summary>The body of <c>POST /v1/sessions/stop</c>.</summary>
internal sealed record LiveAvatarStopBody(
    [property: JsonPropertyName("session_id")] string SessionId,
    [property: JsonPropertyName("reason")] LiveAvatarStopReason Reason);
