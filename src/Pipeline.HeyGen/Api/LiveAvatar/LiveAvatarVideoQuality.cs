using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>LiveAvatar's video quality (<c>video_settings.quality</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LiveAvatarVideoQuality>))]
public enum LiveAvatarVideoQuality
{
    /// <summary><c>low</c>.</summary>
    [JsonStringEnumMemberName("low")]
    Low,

    /// <summary><c>medium</c>.</summary>
    [JsonStringEnumMemberName("medium")]
    Medium,

    /// <summary><c>high</c>.</summary>
    [JsonStringEnumMemberName("high")]
    High,

    /// <summary><c>very_high</c>.</summary>
    [JsonStringEnumMemberName("very_high")]
    VeryHigh,
}
