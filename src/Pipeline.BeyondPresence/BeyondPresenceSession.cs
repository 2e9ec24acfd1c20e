using System.Text.Json.Serialization;

namespace Pipeline.BeyondPresence;

/// <summary>
/// A Beyond Presence real-time session, as <c>POST /v1/session</c> and <c>GET /v1/session/{id}</c> answer it. The
/// answer also echoes the worker's LiveKit token; that field is deliberately not read, so it is never kept or shown.
/// </summary>
public sealed record BeyondPresenceSession
{
    /// <summary>The session's id (not a secret).</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>The avatar the session renders.</summary>
    [JsonPropertyName("avatar_id")]
    public string? AvatarId { get; init; }

    /// <summary>The LiveKit server the worker joins, as Beyond Presence recorded it.</summary>
    [JsonPropertyName("livekit_url")]
    public string? LiveKitUrl { get; init; }

    /// <summary>When Beyond Presence created the session.</summary>
    [JsonPropertyName("created_at")]
    public DateTimeOffset? CreatedAt { get; init; }
}
