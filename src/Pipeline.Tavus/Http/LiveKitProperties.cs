using System.Text.Json.Serialization;

namespace Pipeline.Tavus.Http;

/// <summary>The conversation <c>properties</c> that send the replica into a LiveKit room instead of a Daily one.</summary>
internal sealed record LiveKitProperties(
    [property: JsonPropertyName("livekit_ws_url")] string LiveKitUrl,
    [property: JsonPropertyName("livekit_room_token")] string LiveKitToken);
