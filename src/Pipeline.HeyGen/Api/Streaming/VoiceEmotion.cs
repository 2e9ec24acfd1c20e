using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>The emotion of HeyGen's own TTS voice (<c>voice.emotion</c>). Irrelevant when the bot sends its own audio.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VoiceEmotion>))]
public enum VoiceEmotion
{
    /// <summary><c>excited</c>.</summary>
    [JsonStringEnumMemberName("excited")]
    Excited,

    /// <summary><c>serious</c>.</summary>
    [JsonStringEnumMemberName("serious")]
    Serious,

    /// <summary><c>friendly</c>.</summary>
    [JsonStringEnumMemberName("friendly")]
    Friendly,

    /// <summary><c>soothing</c>.</summary>
    [JsonStringEnumMemberName("soothing")]
    Soothing,

    /// <summary><c>broadcaster</c>.</summary>
    [JsonStringEnumMemberName("broadcaster")]
    Broadcaster,
}
