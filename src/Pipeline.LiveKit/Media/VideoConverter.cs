using Pipeline.Core.Frames;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>Pixel format conversion with the engine's libyuv (I420 to RGB24/RGBA, RGBA to I420, and so on).</summary>
internal static class VideoConverter
{
    /// <summary>
    /// Converts tightly packed pixels into a new native frame that the caller must dispose. BT.601 limited range,
    /// like every WebRTC decoder output.
    /// </summary>
    /// <exception cref="LiveKitException">The engine does not support the conversion.</exception>
    public static unsafe VideoFrame Convert(ReadOnlySpan<byte> source, int width, int height, PixelFormat sourceFormat, PixelFormat targetFormat)
    {
        if (source.Length != PixelFormats.BufferSize(sourceFormat, width, height))
        {
            throw new ArgumentException($"A {width}x{height} {sourceFormat} image needs {PixelFormats.BufferSize(sourceFormat, width, height)} bytes.", nameof(source));
        }

        fixed (byte* pixels = source)
        {
            return Convert(VideoBufferLayout.Describe((IntPtr)pixels, width, height, sourceFormat), targetFormat, 0);
        }
    }

    internal static VideoFrame Convert(VideoBufferInfo source, PixelFormat targetFormat, long timestampMicroseconds)
    {
        FfiResponse response = FfiClient.Instance.Request(new FfiRequest
        {
            VideoConvert = new VideoConvertRequest { Buffer = source, DstType = VideoBufferLayout.ToBufferType(targetFormat) },
        });
        VideoConvertResponse convert = response.VideoConvert;
        if (convert.MessageCase != VideoConvertResponse.MessageOneofCase.Buffer)
        {
            throw new LiveKitException($"The engine could not convert {source.Type} to {targetFormat}: {convert.Error}");
        }

        return new VideoFrame(convert.Buffer, targetFormat, timestampMicroseconds, VideoRotation._0);
    }
}
