using Pipeline.Core.Frames;
using Pipeline.Core.Video;

namespace Pipeline.Core.Tests.Video;

public sealed class PixelConverterTests
{
    private static readonly (byte R, byte G, byte B)[] Bars =
    [
        (235, 235, 235), (235, 235, 16), (16, 235, 235), (16, 235, 16), (235, 16, 235), (235, 16, 16), (16, 16, 235), (16, 16, 16),
    ];

    [Fact]
    public void Colour_bars_survive_a_round_trip_through_I420()
    {
        const int width = 64, height = 8;
        byte[] rgb = ColourBars(width, height);
        byte[] i420 = new byte[PixelFormats.BufferSize(PixelFormat.I420, width, height)];
        byte[] back = new byte[rgb.Length];

        PixelConverter.Rgb24ToI420(rgb, width, height, i420);
        PixelConverter.I420ToRgb24(i420, width, height, back);

        for (int i = 0; i < rgb.Length; i++)
        {
            Math.Abs(back[i] - rgb[i]).Should().BeLessThanOrEqualTo(4, $"byte {i} of a flat 8-pixel bar");
        }
    }

    [Fact]
    public void White_and_black_map_to_the_limited_luma_range()
    {
        byte[] rgb = [255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0];
        byte[] i420 = new byte[PixelFormats.BufferSize(PixelFormat.I420, 4, 2)];

        PixelConverter.Rgb24ToI420(rgb, 4, 2, i420);

        i420[0].Should().Be(235);
        i420[2].Should().Be(16);
        i420[8].Should().Be(128, "grey has no chroma");
    }

    [Fact]
    public void Rgba_gets_opaque_alpha()
    {
        byte[] rgba = new byte[8];
        PixelConverter.Rgb24ToRgba32([1, 2, 3, 4, 5, 6], 2, 1, rgba);
        rgba.Should().Equal(1, 2, 3, 255, 4, 5, 6, 255);
    }

    [Fact]
    public void Too_small_buffers_are_rejected()
    {
        FluentActions.Invoking(() => PixelConverter.Rgb24ToI420(new byte[10], 4, 2, new byte[12]))
            .Should().Throw<ArgumentException>().WithMessage("*needs 24 bytes*");
    }

    private static byte[] ColourBars(int width, int height)
    {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = Bars[x * Bars.Length / width];
                int i = ((y * width) + x) * 3;
                rgb[i] = r;
                rgb[i + 1] = g;
                rgb[i + 2] = b;
            }
        }

        return rgb;
    }
}
