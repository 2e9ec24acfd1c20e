using System.Text.Json.Serialization;

namespace Pipeline.Tavus.Http;

/// <summary>The body of <c>POST /v2/conversations</c> for a replica that joins a LiveKit room.</summary>
internal sealed record CreateConversationBody(
    [property: JsonPropertyName("replica_id")] string? ReplicaId,
    [property: JsonPropertyName("persona_id")] string PersonaId,
    [property: JsonPropertyName("conversation_name")] string ConversationName,
    [property: JsonPropertyName("properties")] LiveKitProperties Properties);
