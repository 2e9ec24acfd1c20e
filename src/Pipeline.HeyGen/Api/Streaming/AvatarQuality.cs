using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>The avatar's video quality on the Interactive Avatar streaming API (<c>quality</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AvatarQuality>))]
public enum AvatarQuality
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
}
