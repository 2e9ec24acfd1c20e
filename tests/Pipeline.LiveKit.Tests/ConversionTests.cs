using Pipeline.Core.Frames;

namespace Pipeline.LiveKit.Tests;

/// <summary>I420 to RGB with the engine's libyuv, on BT.601 limited-range colours whose RGB values are known.</summary>
public sealed class ConversionTests
{
    // (Y, U, V) of pure colours in BT.601 limited range, and their RGB.
    private static readonly (byte Y, byte U, byte V, byte R, byte G, byte B)[] Patches =
    [
        (235, 128, 128, 255, 255, 255),
        (16, 128, 128, 0, 0, 0),
        (81, 90, 240, 255, 0, 0),
        (145, 54, 34, 0, 255, 0),
        (41, 240, 110, 0, 0, 255),
        (126, 128, 128, 128, 128, 128),
    ];

    [Theory]
    [InlineData(PixelFormat.Rgb24, 3)]
    [InlineData(PixelFormat.Rgba32, 4)]
    public void I420_converts_to_rgb_on_a_known_pattern(PixelFormat target, int bytesPerPixel)
    {
        const int patch = 16;
        int width = patch * Patches.Length;
        const int height = patch;
        byte[] i420 = new byte[PixelFormats.BufferSize(PixelFormat.I420, width, height)];
        int chromaWidth = width / 2;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                var p = Patches[x / patch];
                i420[(y * width) + x] = p.Y;
                if (x % 2 == 0 && y % 2 == 0)
                {
                    int c = ((y / 2) * chromaWidth) + (x / 2);
                    i420[(width * height) + c] = p.U;
                    i420[(width * height) + (chromaWidth * (height / 2)) + c] = p.V;
                }
            }
        }

        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using (VideoFrame rgb = VideoConverter.Convert(i420, width, height, PixelFormat.I420, target))
        {
            rgb.Format.Should().Be(target);
            rgb.Width.Should().Be(width);
            rgb.Height.Should().Be(height);
            byte[] pixels = new byte[rgb.PackedLength];
            rgb.CopyTo(pixels);
            for (int i = 0; i < Patches.Length; i++)
            {
                int at = (((height / 2) * width) + (i * patch) + (patch / 2)) * bytesPerPixel;
                var p = Patches[i];
                pixels[at].Should().BeCloseTo(p.R, 3, $"red of patch {i}");
                pixels[at + 1].Should().BeCloseTo(p.G, 3, $"green of patch {i}");
                pixels[at + 2].Should().BeCloseTo(p.B, 3, $"blue of patch {i}");
                if (bytesPerPixel == 4)
                {
                    pixels[at + 3].Should().Be(255);
                }
            }
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }
}
