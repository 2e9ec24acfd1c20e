using Pipeline.Core.Frames;
using Pipeline.Core.Video;

namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>How the emulated avatar looks in one video frame.</summary>
/// <param name="MouthOpen">How far the mouth is open, 0 (closed) to 1 (wide open); follows the speech level.</param>
/// <param name="Listening">Whether the avatar is in its listening pose (raised brows, green lamp).</param>
/// <param name="EyesClosed">Whether the avatar is blinking.</param>
internal readonly record struct AvatarPose(double MouthOpen, bool Listening, bool EyesClosed);

/// <summary>
/// Draws a simple cartoon face: a static part (background, head) prepared once, then eyes, brows and a mouth whose
/// height follows the speech level, drawn per frame. Output is RGB24, RGBA32 or I420, tightly packed.
/// </summary>
internal sealed class AvatarRenderer
{
    private static readonly Rgb Background = new(28, 32, 46);
    private static readonly Rgb Skin = new(236, 190, 152);
    private static readonly Rgb Feature = new(40, 30, 30);
    private static readonly Rgb Lips = new(150, 40, 52);
    private static readonly Rgb Lamp = new(60, 200, 90);

    private readonly byte[] _template;
    private readonly int _cx;
    private readonly int _cy;
    private readonly int _unit;

    /// <summary>Prepares a renderer for frames of this size.</summary>
    public AvatarRenderer(int width, int height)
    {
        if (width < 16 || height < 16 || width > PixelFormats.MaxDimension || height > PixelFormats.MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"Avatar frames must be 16 to {PixelFormats.MaxDimension} pixels a side.");
        }

        Width = width;
        Height = height;
        _cx = width / 2;
        _cy = height / 2;
        _unit = Math.Max(1, Math.Min(width, height) / 100);
        _template = new byte[width * height * 3];
        Fill(_template, Background);
        FillEllipse(_template, _cx, _cy, 38 * _unit * 100 / 120, 38 * _unit, Skin);
    }

    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }

    /// <summary>Renders one frame in <paramref name="format"/> into <paramref name="destination"/>.</summary>
    /// <returns>The bytes written (<see cref="PixelFormats.BufferSize"/> of the format and size).</returns>
    public int Render(AvatarPose pose, PixelFormat format, Span<byte> destination, Span<byte> rgbScratch)
    {
        int size = PixelFormats.BufferSize(format, Width, Height);
        if (destination.Length < size)
        {
            throw new ArgumentException($"Destination needs {size} bytes.", nameof(destination));
        }

        Span<byte> rgb = format == PixelFormat.Rgb24 ? destination[..size] : rgbScratch[..(Width * Height * 3)];
        DrawRgb(pose, rgb);
        switch (format)
        {
            case PixelFormat.Rgb24:
                break;
            case PixelFormat.Rgba32:
                PixelConverter.Rgb24ToRgba32(rgb, Width, Height, destination);
                break;
            case PixelFormat.I420:
                PixelConverter.Rgb24ToI420(rgb, Width, Height, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format.");
        }

        return size;
    }

    private void DrawRgb(AvatarPose pose, Span<byte> rgb)
    {
        _template.CopyTo(rgb);
        int eyeDx = 13 * _unit;
        int eyeY = _cy - (8 * _unit);
        int eyeRy = pose.EyesClosed ? Math.Max(1, _unit / 2) : 4 * _unit;
        FillEllipse(rgb, _cx - eyeDx, eyeY, 4 * _unit, eyeRy, Feature);
        FillEllipse(rgb, _cx + eyeDx, eyeY, 4 * _unit, eyeRy, Feature);

        int browY = eyeY - ((pose.Listening ? 10 : 7) * _unit);
        FillRect(rgb, _cx - eyeDx - (5 * _unit), browY, 10 * _unit, Math.Max(1, _unit), Feature);
        FillRect(rgb, _cx + eyeDx - (5 * _unit), browY, 10 * _unit, Math.Max(1, _unit), Feature);

        double open = Math.Clamp(pose.MouthOpen, 0, 1);
        int mouthRy = Math.Max(Math.Max(1, _unit / 2), (int)Math.Round(open * 10 * _unit));
        FillEllipse(rgb, _cx, _cy + (17 * _unit), 12 * _unit, mouthRy, Lips);

        if (pose.Listening)
        {
            FillEllipse(rgb, Width - (8 * _unit), 8 * _unit, 4 * _unit, 4 * _unit, Lamp);
        }
    }

    private static void Fill(Span<byte> rgb, Rgb color)
    {
        for (int i = 0; i < rgb.Length; i += 3)
        {
            rgb[i] = color.R;
            rgb[i + 1] = color.G;
            rgb[i + 2] = color.B;
        }
    }

    private void FillRect(Span<byte> rgb, int x, int y, int w, int h, Rgb color)
    {
        for (int row = Math.Max(0, y); row < Math.Min(Height, y + h); row++)
        {
            for (int col = Math.Max(0, x); col < Math.Min(Width, x + w); col++)
            {
                Set(rgb, col, row, color);
            }
        }
    }

    private void FillEllipse(Span<byte> rgb, int cx, int cy, int rx, int ry, Rgb color)
    {
        if (rx <= 0 || ry <= 0)
        {
            return;
        }

        for (int row = Math.Max(0, cy - ry); row <= Math.Min(Height - 1, cy + ry); row++)
        {
            double dy = (row - cy) / (double)ry;
            int half = (int)(rx * Math.Sqrt(Math.Max(0, 1 - (dy * dy))));
            for (int col = Math.Max(0, cx - half); col <= Math.Min(Width - 1, cx + half); col++)
            {
                Set(rgb, col, row, color);
            }
        }
    }

    private void Set(Span<byte> rgb, int x, int y, Rgb color)
    {
        int i = ((y * Width) + x) * 3;
        rgb[i] = color.R;
        rgb[i + 1] = color.G;
        rgb[i + 2] = color.B;
    }

    private readonly record struct Rgb(byte R, byte G, byte B);
}
