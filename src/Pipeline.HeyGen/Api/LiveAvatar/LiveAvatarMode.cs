using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>Who runs speech recognition, the LLM and TTS in a LiveAvatar session (<c>mode</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LiveAvatarMode>))]
public enum LiveAvatarMode
{
    /// <summary><c>LITE</c>: the bot does; LiveAvatar only renders video from the bot's audio (the voice-bot mode).</summary>
    [JsonStringEnumMemberName("LITE")]
    Lite,

    /// <summary><c>FULL</c>: LiveAvatar's own agent does.</summary>
    [JsonStringEnumMemberName("FULL")]
    Full,

    /// <summary><c>CUSTOM</c>: the older name of LITE.</summary>
    [JsonStringEnumMemberName("CUSTOM")]
    Custom,
}
