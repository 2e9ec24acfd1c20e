using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>The <c>data</c> of a <c>sessions/token</c> response: the new session and the bearer token that starts it.</summary>
/// <remarks><see cref="ToString"/> redacts the token.</remarks>
public sealed record LiveAvatarSessionToken
{
    /// <summary>The session id.</summary>
    [JsonPropertyName("session_id")]
    public required string SessionId { get; init; }

    /// <summary>The session token (sent as <c>Authorization: Bearer</c> to start the session).</summary>
    [JsonPropertyName("session_token")]
    public required string SessionToken { get; init; }

    /// <summary>A log-safe description with the token redacted.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"LiveAvatarSessionToken {{ SessionId = {SessionId}, SessionToken = {Http.SecretRedactor.Mask(SessionToken)} }}";
}
