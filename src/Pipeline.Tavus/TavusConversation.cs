using System.Text.Json.Serialization;

namespace Pipeline.Tavus;

/// <summary>A Tavus conversation as <c>POST /v2/conversations</c> answers it. Only these fields are read; the
/// answer's other fields (its meeting URL among them) are deliberately not kept.</summary>
public sealed record TavusConversation
{
    /// <summary>The conversation's id (not a secret; ends it).</summary>
    [JsonPropertyName("conversation_id")]
    public required string ConversationId { get; init; }

    /// <summary>The conversation's name.</summary>
    [JsonPropertyName("conversation_name")]
    public string? ConversationName { get; init; }

    /// <summary>Its status as Tavus reported it, e.g. <c>active</c> or <c>ended</c>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }
}
