using Pipeline.Core.Frames;

namespace Pipeline.Core.Video;

/// <summary>Conversions between the pixel formats of <see cref="ImageRawFrame"/>s (BT.601, limited range).</summary>
public static class PixelConverter
{
    /// <summary>Converts tightly packed RGB24 to I420 (chroma averaged over each 2x2 block).</summary>
    public static void Rgb24ToI420(ReadOnlySpan<byte> rgb, int width, int height, Span<byte> i420)
    {
        CheckSizes(rgb.Length, PixelFormat.Rgb24, i420.Length, PixelFormat.I420, width, height);
        int chromaW = (width + 1) / 2;
        int chromaH = (height + 1) / 2;
        Span<byte> yPlane = i420[..(width * height)];
        Span<byte> uPlane = i420.Slice(width * height, chromaW * chromaH);
        Span<byte> vPlane = i420.Slice((width * height) + (chromaW * chromaH), chromaW * chromaH);
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = rgb.Slice(y * width * 3, width * 3);
            Span<byte> yRow = yPlane.Slice(y * width, width);
            for (int x = 0; x < width; x++)
            {
                int r = row[x * 3], g = row[(x * 3) + 1], b = row[(x * 3) + 2];
                yRow[x] = ClampByte((((66 * r) + (129 * g) + (25 * b) + 128) >> 8) + 16);
            }
        }

        for (int cy = 0; cy < chromaH; cy++)
        {
            for (int cx = 0; cx < chromaW; cx++)
            {
                int r = 0, g = 0, b = 0, n = 0;
                for (int dy = 0; dy < 2 && (cy * 2) + dy < height; dy++)
                {
                    for (int dx = 0; dx < 2 && (cx * 2) + dx < width; dx++)
                    {
                        int i = ((((cy * 2) + dy) * width) + (cx * 2) + dx) * 3;
                        r += rgb[i];
                        g += rgb[i + 1];
                        b += rgb[i + 2];
                        n++;
                    }
                }

                r /= n;
                g /= n;
                b /= n;
                uPlane[(cy * chromaW) + cx] = ClampByte((((-38 * r) - (74 * g) + (112 * b) + 128) >> 8) + 128);
                vPlane[(cy * chromaW) + cx] = ClampByte((((112 * r) - (94 * g) - (18 * b) + 128) >> 8) + 128);
            }
        }
    }

    /// <summary>Converts I420 to tightly packed RGB24.</summary>
    public static void I420ToRgb24(ReadOnlySpan<byte> i420, int width, int height, Span<byte> rgb)
    {
        CheckSizes(i420.Length, PixelFormat.I420, rgb.Length, PixelFormat.Rgb24, width, height);
        int chromaW = (width + 1) / 2;
        int chromaH = (height + 1) / 2;
        ReadOnlySpan<byte> yPlane = i420[..(width * height)];
        ReadOnlySpan<byte> uPlane = i420.Slice(width * height, chromaW * chromaH);
        ReadOnlySpan<byte> vPlane = i420.Slice((width * height) + (chromaW * chromaH), chromaW * chromaH);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int c = yPlane[(y * width) + x] - 16;
                int d = uPlane[((y / 2) * chromaW) + (x / 2)] - 128;
                int e = vPlane[((y / 2) * chromaW) + (x / 2)] - 128;
                int i = ((y * width) + x) * 3;
                rgb[i] = ClampByte(((298 * c) + (409 * e) + 128) >> 8);
                rgb[i + 1] = ClampByte(((298 * c) - (100 * d) - (208 * e) + 128) >> 8);
                rgb[i + 2] = ClampByte(((298 * c) + (516 * d) + 128) >> 8);
            }
        }
    }

    /// <summary>Converts tightly packed RGB24 to RGBA32 with opaque alpha.</summary>
    public static void Rgb24ToRgba32(ReadOnlySpan<byte> rgb, int width, int height, Span<byte> rgba)
    {
        CheckSizes(rgb.Length, PixelFormat.Rgb24, rgba.Length, PixelFormat.Rgba32, width, height);
        for (int p = 0; p < width * height; p++)
        {
            rgba[p * 4] = rgb[p * 3];
            rgba[(p * 4) + 1] = rgb[(p * 3) + 1];
            rgba[(p * 4) + 2] = rgb[(p * 3) + 2];
            rgba[(p * 4) + 3] = 255;
        }
    }

    private static byte ClampByte(int value) => (byte)Math.Clamp(value, 0, 255);

    private static void CheckSizes(int sourceLength, PixelFormat sourceFormat, int destinationLength, PixelFormat destinationFormat, int width, int height)
    {
        int source = PixelFormats.BufferSize(sourceFormat, width, height);
        int destination = PixelFormats.BufferSize(destinationFormat, width, height);
        if (sourceLength < source)
        {
            throw new ArgumentException($"A {width}x{height} {sourceFormat} image needs {source} bytes, not {sourceLength}.");
        }

        if (destinationLength < destination)
        {
            throw new ArgumentException($"A {width}x{height} {destinationFormat} image needs {destination} bytes, not {destinationLength}.");
        }
    }
}
