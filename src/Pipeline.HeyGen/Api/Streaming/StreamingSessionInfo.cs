using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>One open session as listed by <c>GET /v1/streaming.list</c>.</summary>
public sealed record StreamingSessionInfo
{
    /// <summary>The session id.</summary>
    [JsonPropertyName("session_id")]
    public required string SessionId { get; init; }

    /// <summary>The session status as the server reports it: <c>new</c>, <c>connecting</c> or <c>connected</c>
    /// (kept as text so a new status does not break parsing).</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    /// <summary>When the session was created, in Unix seconds.</summary>
    [JsonPropertyName("created_at")]
    public long? CreatedAt { get; init; }

    /// <summary><see cref="CreatedAt"/> as a point in time, when known.</summary>
    [JsonIgnore]
    public DateTimeOffset? CreatedAtTime => CreatedAt is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
}

/// <summary>The <c>data</c> of a streaming.list response.</summary>
internal sealed record StreamingSessionList
{
    [JsonPropertyName("sessions")]
    public IReadOnlyList<StreamingSessionInfo> Sessions { get; init; } = [];
}

/// <summary>The <c>data</c> of a streaming.create_token response.</summary>
internal sealed record StreamingTokenData
{
    [JsonPropertyName("token")]
    public required string Token { get; init; }
}

/// <summary>The body of the calls that name only a session: start, stop, keep_alive.</summary>
internal sealed record SessionIdBody([property: JsonPropertyName("session_id")] string SessionId);
