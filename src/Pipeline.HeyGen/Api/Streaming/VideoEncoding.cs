using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>The video codec the avatar publishes (<c>video_encoding</c> on streaming.new, <c>encoding</c> in
/// LiveAvatar's <c>video_settings</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VideoEncoding>))]
public enum VideoEncoding
{
    /// <summary><c>H264</c>.</summary>
    [JsonStringEnumMemberName("H264")]
    H264,

    /// <summary><c>VP8</c> (HeyGen's documented default).</summary>
    [JsonStringEnumMemberName("VP8")]
    VP8,
}
