using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>HeyGen's own TTS voice (<c>voice</c> on streaming.new). Irrelevant when the bot sends its own audio.</summary>
/// <remarks>Pipecat's model declares camelCase aliases (<c>voiceId</c>) but sends snake_case; the documented wire
/// names are snake_case (<c>voice_id</c>, <c>elevenlabs_settings</c>), which is what this record sends. It also reads
/// the aliases (<c>voiceId</c>, <c>elevenlabsSettings</c>) from JSON, and configuration binding reads them by
/// property name, so settings written the seed's way bind.</remarks>
public sealed record VoiceSettings
{
    /// <summary>The lowest documented speaking rate (HeyGen's SDK: "0.5 ~ 1.5").</summary>
    public const double MinRate = 0.5;

    /// <summary>The highest documented speaking rate.</summary>
    public const double MaxRate = 1.5;

    /// <summary>The voice id.</summary>
    [JsonPropertyName("voice_id")]
    public string? VoiceId { get; init; }

    /// <summary>Speaking rate multiplier, <see cref="MinRate"/>–<see cref="MaxRate"/> (1 = normal).</summary>
    [JsonPropertyName("rate")]
    public double? Rate { get; init; }

    /// <summary>The voice emotion.</summary>
    [JsonPropertyName("emotion")]
    public VoiceEmotion? Emotion { get; init; }

    /// <summary>ElevenLabs tuning.</summary>
    [JsonPropertyName("elevenlabs_settings")]
    public ElevenLabsSettings? ElevenLabsSettings { get; init; }

    // The seed's camelCase spellings, read but never written (their getters return null, and null is not sent): a
    // configuration written as {"voiceId": ..., "elevenlabsSettings": {...}} must not silently fall back to the
    // default voice. The wire stays snake_case. (Microsoft.Extensions.Configuration binds by property name, so it
    // reads these spellings through VoiceId and ElevenLabsSettings directly.)
    [JsonInclude]
    [JsonPropertyName("voiceId")]
    internal string? VoiceIdAlias
    {
        get => null;
        init => VoiceId ??= value;
    }

    [JsonInclude]
    [JsonPropertyName("elevenlabsSettings")]
    internal ElevenLabsSettings? ElevenLabsSettingsAlias
    {
        get => null;
        init => ElevenLabsSettings ??= value;
    }

    internal void Validate()
    {
        if (Rate is { } rate && (double.IsNaN(rate) || rate < MinRate || rate > MaxRate))
        {
            throw new ArgumentOutOfRangeException("voice.rate", rate, $"voice.rate must be between {MinRate} and {MaxRate}.");
        }

        ElevenLabsSettings?.Validate();
    }
}
