using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>The body of <c>POST /v1/streaming.new</c>. Every field is optional; unset fields are not sent.</summary>
public sealed record NewSessionRequest : AvatarSessionRequest
{
    /// <summary>The shortest idle timeout HeyGen accepts, in seconds.</summary>
    public const int MinActivityIdleTimeoutSeconds = 30;

    /// <summary>The longest idle timeout HeyGen accepts, in seconds.</summary>
    public const int MaxActivityIdleTimeoutSeconds = 3600;

    /// <summary>Video quality.</summary>
    [JsonPropertyName("quality")]
    public AvatarQuality? Quality { get; init; }

    /// <summary>The avatar id; HeyGen picks a default when unset.</summary>
    [JsonPropertyName("avatar_id")]
    public string? AvatarId { get; init; }

    /// <summary>HeyGen's own TTS voice settings.</summary>
    [JsonPropertyName("voice")]
    public VoiceSettings? Voice { get; init; }

    /// <summary>The video codec.</summary>
    [JsonPropertyName("video_encoding")]
    public VideoEncoding? VideoEncoding { get; init; }

    /// <summary>The knowledge base id (v2 only).</summary>
    /// <remarks>Sent as <c>knowledge_base_id</c>, the name HeyGen documents for streaming.new. Pipecat sends
    /// <c>knowledge_id</c>, which matches no documented field and is therefore most likely ignored by the server.</remarks>
    [JsonPropertyName("knowledge_base_id")]
    public string? KnowledgeBaseId { get; init; }

    /// <summary>A prompt for HeyGen-run <c>chat</c> tasks.</summary>
    [JsonPropertyName("knowledge_base")]
    public string? KnowledgeBase { get; init; }

    /// <summary>Always <c>v2</c>: the LiveKit transport. (Leaving it out selects the retired v1 raw WebRTC.)</summary>
    [JsonPropertyName("version")]
#pragma warning disable CA1822 // An instance property, so the serializer writes it with the other fields.
    public string Version => "v2";
#pragma warning restore CA1822

    /// <summary>Deprecated by HeyGen in favour of <see cref="ActivityIdleTimeout"/> plus keep-alive.</summary>
    [JsonPropertyName("disable_idle_timeout")]
    public bool? DisableIdleTimeout { get; init; }

    /// <summary>Seconds without activity before HeyGen closes the session,
    /// <see cref="MinActivityIdleTimeoutSeconds"/>–<see cref="MaxActivityIdleTimeoutSeconds"/>; HeyGen's default is 120.</summary>
    [JsonPropertyName("activity_idle_timeout")]
    public int? ActivityIdleTimeout { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        if (ActivityIdleTimeout is { } idle && (idle < MinActivityIdleTimeoutSeconds || idle > MaxActivityIdleTimeoutSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(ActivityIdleTimeout), idle,
                $"activity_idle_timeout must be between {MinActivityIdleTimeoutSeconds} and {MaxActivityIdleTimeoutSeconds} seconds.");
        }

        if (AvatarId is { } avatar && string.IsNullOrWhiteSpace(avatar))
        {
            throw new ArgumentException("avatar_id must not be blank; leave it null for HeyGen's default avatar.", nameof(AvatarId));
        }

        Voice?.Validate();
    }
}
