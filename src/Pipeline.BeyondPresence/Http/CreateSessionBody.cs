using System.Text.Json.Serialization;

namespace Pipeline.BeyondPresence.Http;

/// <summary>The body of <c>POST /v1/session</c>, in the documented field order.</summary>
internal sealed record CreateSessionBody(
    [property: JsonPropertyName("avatar_id")] string AvatarId,
    [property: JsonPropertyName("livekit_url")] string LiveKitUrl,
    [property: JsonPropertyName("livekit_token")] string LiveKitToken);
