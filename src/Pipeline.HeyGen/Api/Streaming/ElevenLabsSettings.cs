using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>ElevenLabs tuning for HeyGen's TTS voice (<c>voice.elevenlabs_settings</c>).</summary>
public sealed record ElevenLabsSettings
{
    /// <summary>Voice stability, 0–1.</summary>
    [JsonPropertyName("stability")]
    public double? Stability { get; init; }

    /// <summary>Similarity boost, 0–1.</summary>
    [JsonPropertyName("similarity_boost")]
    public double? SimilarityBoost { get; init; }

    /// <summary>The ElevenLabs model id, for example <c>eleven_flash_v2_5</c>.</summary>
    [JsonPropertyName("model_id")]
    public string? ModelId { get; init; }

    /// <summary>Style exaggeration, 0–1. Pipecat types this as an integer; ElevenLabs defines a 0–1 number, so a
    /// <see cref="double"/> is used (whole numbers serialize the same).</summary>
    [JsonPropertyName("style")]
    public double? Style { get; init; }

    /// <summary>Whether ElevenLabs' speaker boost is on.</summary>
    [JsonPropertyName("use_speaker_boost")]
    public bool? UseSpeakerBoost { get; init; }

    // The seed's spellings, read but never written (null getters are not sent); see VoiceSettings.
    [JsonInclude]
    [JsonPropertyName("model")]
    internal string? ModelAlias
    {
        get => null;
        init => ModelId ??= value;
    }

    [JsonInclude]
    [JsonPropertyName("modelId")]
    internal string? ModelIdAlias
    {
        get => null;
        init => ModelId ??= value;
    }

    [JsonInclude]
    [JsonPropertyName("similarityBoost")]
    internal double? SimilarityBoostAlias
    {
        get => null;
        init => SimilarityBoost ??= value;
    }

    [JsonInclude]
    [JsonPropertyName("useSpeakerBoost")]
    internal bool? UseSpeakerBoostAlias
    {
        get => null;
        init => UseSpeakerBoost ??= value;
    }

    /// <summary>The ElevenLabs model id under the seed's name (<c>model</c>); the same value as <see cref="ModelId"/>,
    /// which is what is sent. Lets configuration written as <c>"model": "eleven_flash_v2_5"</c> bind.</summary>
    [JsonIgnore]
    public string? Model
    {
        get => ModelId;
        init => ModelId ??= value;
    }

    internal void Validate()
    {
        CheckUnit(Stability, "voice.elevenlabs_settings.stability");
        CheckUnit(SimilarityBoost, "voice.elevenlabs_settings.similarity_boost");
        CheckUnit(Style, "voice.elevenlabs_settings.style");
    }

    private static void CheckUnit(double? value, string name)
    {
        if (value is { } v && (double.IsNaN(v) || v < 0 || v > 1))
        {
            throw new ArgumentOutOfRangeException(name, v, $"{name} must be between 0 and 1.");
        }
    }
}
