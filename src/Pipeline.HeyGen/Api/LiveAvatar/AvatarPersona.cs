using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>The persona of LiveAvatar's own agent (<c>avatar_persona</c>; FULL mode).</summary>
public sealed record AvatarPersona
{
    /// <summary>The voice id.</summary>
    [JsonPropertyName("voice_id")]
    public string? VoiceId { get; init; }

    /// <summary>The context (prompt) id. Without one the FULL-mode agent ignores what the user says.</summary>
    [JsonPropertyName("context_id")]
    public string? ContextId { get; init; }

    /// <summary>The language code. Default <c>en</c>.</summary>
    [JsonPropertyName("language")]
    public string Language { get; init; } = "en";
}
