using Pipeline.Core.Frames;

namespace Pipeline.LiveKit;

/// <summary>How a <see cref="VideoStream"/> delivers frames.</summary>
public sealed record VideoStreamOptions
{
    /// <summary>
    /// Pixel format of the frames. <see cref="PixelFormat.I420"/> (the default) passes the decoder's output through
    /// without conversion; RGB24 and RGBA are converted by the engine before the frame reaches .NET.
    /// </summary>
    public PixelFormat Format { get; init; } = PixelFormat.I420;

    /// <summary>Frames buffered for a slow reader before the oldest is dropped. Default 4.</summary>
    public int Capacity { get; init; } = 4;
}
