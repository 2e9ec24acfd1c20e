using Pipeline.Core.Frames;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>Maps between the engine's buffer types and <see cref="PixelFormat"/>, and describes planes.</summary>
internal static class VideoBufferLayout
{
    public static VideoBufferType ToBufferType(PixelFormat format) => format switch
    {
        PixelFormat.Rgb24 => VideoBufferType.Rgb24,
        PixelFormat.Rgba32 => VideoBufferType.Rgba,
        PixelFormat.I420 => VideoBufferType.I420,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format."),
    };

    public static PixelFormat? ToPixelFormat(VideoBufferType type) => type switch
    {
        VideoBufferType.Rgb24 => PixelFormat.Rgb24,
        VideoBufferType.Rgba => PixelFormat.Rgba32,
        VideoBufferType.I420 => PixelFormat.I420,
        _ => null,
    };

    public static int BytesPerPixel(PixelFormat format) => format switch
    {
        PixelFormat.Rgb24 => 3,
        PixelFormat.Rgba32 => 4,
        _ => 1,
    };

    /// <summary>Describes tightly packed pixels at <paramref name="address"/> for a request that reads them synchronously.</summary>
    public static VideoBufferInfo Describe(IntPtr address, int width, int height, PixelFormat format)
    {
        var info = new VideoBufferInfo
        {
            Type = ToBufferType(format),
            Width = (uint)width,
            Height = (uint)height,
            DataPtr = (ulong)address,
        };
        if (format == PixelFormat.I420)
        {
            int chromaWidth = (width + 1) / 2;
            int chromaHeight = (height + 1) / 2;
            ulong y = (ulong)address;
            ulong u = y + (ulong)(width * height);
            ulong v = u + (ulong)(chromaWidth * chromaHeight);
            info.Components.Add(new VideoBufferInfo.Types.ComponentInfo { DataPtr = y, Stride = (uint)width, Size = (uint)(width * height) });
            info.Components.Add(new VideoBufferInfo.Types.ComponentInfo { DataPtr = u, Stride = (uint)chromaWidth, Size = (uint)(chromaWidth * chromaHeight) });
            info.Components.Add(new VideoBufferInfo.Types.ComponentInfo { DataPtr = v, Stride = (uint)chromaWidth, Size = (uint)(chromaWidth * chromaHeight) });
        }
        else
        {
            info.Stride = (uint)(width * BytesPerPixel(format));
        }

        return info;
    }
}
