using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>LiveAvatar's <c>video_settings</c>.</summary>
/// <remarks>LiveKit's plugin sends a top-level <c>video_quality</c> instead; the documented place,
/// <c>video_settings.quality</c>, is used here.</remarks>
public sealed record LiveAvatarVideoSettings
{
    /// <summary>The video codec. Default VP8.</summary>
    [JsonPropertyName("encoding")]
    public VideoEncoding Encoding { get; init; } = VideoEncoding.VP8;

    /// <summary>The video quality. Default high.</summary>
    [JsonPropertyName("quality")]
    public LiveAvatarVideoQuality Quality { get; init; } = LiveAvatarVideoQuality.High;
}
