namespace Pipeline.LiveKit;

/// <summary>The video codec a track is published with.</summary>
public enum VideoCodec
{
    /// <summary>VP8 (the default; every LiveKit client decodes it).</summary>
    Vp8 = 0,

    /// <summary>H.264.</summary>
    H264 = 1,

    /// <summary>AV1.</summary>
    Av1 = 2,

    /// <summary>VP9.</summary>
    Vp9 = 3,

    /// <summary>H.265.</summary>
    H265 = 4,
}

/// <summary>The encoder's ceiling for a published video track.</summary>
/// <param name="MaxBitrate">Maximum bitrate, in bits per second (for example 2_500_000 for 720p30).</param>
/// <param name="MaxFramerate">Maximum frame rate, in frames per second.</param>
public sealed record VideoEncodingOptions(long MaxBitrate, double MaxFramerate);

/// <summary>How <see cref="Room.PublishTrackAsync"/> publishes a local track.</summary>
public sealed record TrackPublishOptions
{
    /// <summary>
    /// What the track is to the other participants. <see cref="TrackSource.Unknown"/> (the default) publishes a video
    /// track as <see cref="TrackSource.Camera"/> and an audio track as <see cref="TrackSource.Microphone"/>.
    /// </summary>
    public TrackSource Source { get; init; } = TrackSource.Unknown;

    /// <summary>The video codec. Default <see cref="VideoCodec.Vp8"/>. Ignored for audio.</summary>
    public VideoCodec VideoCodec { get; init; } = VideoCodec.Vp8;

    /// <summary>The encoder's maximum bitrate and frame rate; <see langword="null"/> lets the engine pick from the resolution.</summary>
    public VideoEncodingOptions? VideoEncoding { get; init; }

    /// <summary>The audio encoder's maximum bitrate, in bits per second; <see langword="null"/> lets the engine pick (Opus speech).</summary>
    public long? AudioMaxBitrate { get; init; }

    /// <summary>
    /// Publish several resolutions of the video so subscribers can pick one. Default <see langword="false"/>: one
    /// encoding at the source's resolution, which is what a single-viewer bot wants (simulcast costs CPU per layer).
    /// </summary>
    public bool Simulcast { get; init; }

    internal TrackSource SourceFor(TrackKind kind) => Source != TrackSource.Unknown
        ? Source
        : kind == TrackKind.Video ? TrackSource.Camera : TrackSource.Microphone;

    internal static void Validate(TrackPublishOptions options, TrackKind kind)
    {
        if (!Enum.IsDefined(options.Source) || !Enum.IsDefined(options.VideoCodec))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Unknown track source {options.Source} or video codec {options.VideoCodec}.");
        }

        bool videoSource = options.SourceFor(kind) is TrackSource.Camera or TrackSource.ScreenShare;
        if (videoSource != (kind == TrackKind.Video))
        {
            throw new ArgumentException($"A {kind.ToString().ToLowerInvariant()} track cannot be published as {options.Source}.", nameof(options));
        }

        if (options.VideoEncoding is { } encoding && (encoding.MaxBitrate <= 0 || encoding.MaxFramerate <= 0 || !double.IsFinite(encoding.MaxFramerate)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "VideoEncoding needs a positive MaxBitrate (bits/s) and MaxFramerate (fps).");
        }

        if (options.AudioMaxBitrate is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "AudioMaxBitrate must be positive (bits/s).");
        }
    }
}
