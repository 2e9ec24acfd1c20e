using Pipeline.Core.Frames;
using Pipeline.Core.Video;
using Pipeline.WebSocket.Protocol;
using SkiaSharp;

namespace Pipeline.WebSocket.Server;

/// <summary>
/// Encodes raw images as JPEG (SkiaSharp) into a rented message buffer with the video header in front. Keeps one RGBA
/// scratch buffer, grown to the largest frame seen, so steady-state encoding allocates only Skia's output.
/// Not thread-safe: one per output processor.
/// </summary>
internal sealed class JpegFrameEncoder : IDisposable
{
    private readonly int _quality;
    private byte[] _rgba = [];
    private byte[] _rgb = [];

    public JpegFrameEncoder(int quality) => _quality = quality;

    /// <summary>Encodes <paramref name="image"/>; the returned buffer is rented (see <see cref="OutgoingMessage"/>).</summary>
    /// <returns>The message (header + JPEG) and its length.</returns>
    public (byte[] Message, int Length) Encode(ImageRawFrame image, long timestampMicroseconds)
    {
        if (image.Width > ushort.MaxValue || image.Height > ushort.MaxValue)
        {
            throw new ArgumentException($"A {image.Width}x{image.Height} image does not fit the video header (at most {ushort.MaxValue} pixels a side).", nameof(image));
        }

        ReadOnlySpan<byte> rgba = ToRgba(image);
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        SKData encoded;
        unsafe
        {
            fixed (byte* pixels = rgba)
            {
                using var pixmap = new SKPixmap(info, (nint)pixels, image.Width * 4);
                encoded = pixmap.Encode(SKEncodedImageFormat.Jpeg, _quality)
                    ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width}x{image.Height} frame as JPEG.");
            }
        }

        using (encoded)
        {
            ReadOnlySpan<byte> jpeg = encoded.AsSpan();
            byte[] message = OutgoingMessage.Rent(MediaHeader.Size + jpeg.Length);
            MediaHeader.ForVideo(image.Width, image.Height, timestampMicroseconds).Write(message);
            jpeg.CopyTo(message.AsSpan(MediaHeader.Size));
            return (message, MediaHeader.Size + jpeg.Length);
        }
    }

    public void Dispose()
    {
        _rgba = [];
        _rgb = [];
    }

    private ReadOnlySpan<byte> ToRgba(ImageRawFrame image)
    {
        int pixels = image.Width * image.Height;
        ReadOnlySpan<byte> source = image.Image.Span;
        switch (image.Format)
        {
            case PixelFormat.Rgba32:
                return source;
            case PixelFormat.Rgb24:
                PixelConverter.Rgb24ToRgba32(source, image.Width, image.Height, Scratch(ref _rgba, pixels * 4));
                return _rgba.AsSpan(0, pixels * 4);
            case PixelFormat.I420:
                PixelConverter.I420ToRgb24(source, image.Width, image.Height, Scratch(ref _rgb, pixels * 3));
                PixelConverter.Rgb24ToRgba32(_rgb.AsSpan(0, pixels * 3), image.Width, image.Height, Scratch(ref _rgba, pixels * 4));
                return _rgba.AsSpan(0, pixels * 4);
            default:
                throw new ArgumentException($"Unknown pixel format {image.Format}.", nameof(image));
        }
    }

    private static Span<byte> Scratch(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<byte>(length);
        }

        return buffer.AsSpan(0, length);
    }
}
