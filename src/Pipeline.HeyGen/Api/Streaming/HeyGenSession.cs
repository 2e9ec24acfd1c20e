using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>The <c>data</c> of a streaming.new response: the session and how to reach it.</summary>
/// <remarks><see cref="ToString"/> redacts the tokens.</remarks>
public sealed record HeyGenSession
{
    /// <summary>The session id.</summary>
    [JsonPropertyName("session_id")]
    public required string SessionId { get; init; }

    /// <summary>The LiveKit token meant for the end user's client.</summary>
    [JsonPropertyName("access_token")]
    public required string AccessToken { get; init; }

    /// <summary>The LiveKit token meant for the bot (agent).</summary>
    [JsonPropertyName("livekit_agent_token")]
    public required string LiveKitAgentToken { get; init; }

    /// <summary>The realtime websocket URL.</summary>
    [JsonPropertyName("realtime_endpoint")]
    public required string RealtimeEndpoint { get; init; }

    /// <summary>The LiveKit server URL.</summary>
    [JsonPropertyName("url")]
    public required string Url { get; init; }

    /// <summary>The longest the session may run, in seconds (600 on trial accounts), when the server says.</summary>
    [JsonPropertyName("session_duration_limit")]
    public int? SessionDurationLimit { get; init; }

    /// <summary>Whether the account is paid, when the server says.</summary>
    [JsonPropertyName("is_paid")]
    public bool? IsPaid { get; init; }

    /// <summary>A log-safe description with the tokens redacted.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"HeyGenSession {{ SessionId = {SessionId}, AccessToken = {Http.SecretRedactor.Mask(AccessToken)}, " +
        $"LiveKitAgentToken = {Http.SecretRedactor.Mask(LiveKitAgentToken)}, RealtimeEndpoint = {Http.SecretRedactor.RedactUrl(RealtimeEndpoint)}, " +
        $"Url = {Http.SecretRedactor.RedactUrl(Url)}, SessionDurationLimit = {SessionDurationLimit}, IsPaid = {IsPaid} }}";
}
