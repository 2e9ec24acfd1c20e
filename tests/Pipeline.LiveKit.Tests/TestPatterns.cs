namespace Pipeline.LiveKit.Tests;

/// <summary>Known images and sounds whose content survives the trip through the engine in a checkable way.</summary>
internal static class TestPatterns
{
    /// <summary>SMPTE-like bars, left to right: white, yellow, cyan, green, magenta, red, blue, black.</summary>
    public static readonly (byte R, byte G, byte B)[] Bars =
    [
        (235, 235, 235), (235, 235, 16), (16, 235, 235), (16, 235, 16),
        (235, 16, 235), (235, 16, 16), (16, 16, 235), (16, 16, 16),
    ];

    public static byte[] BarsRgba(int width, int height)
    {
        byte[] image = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                (byte r, byte g, byte b) = Bars[x * Bars.Length / width];
                int i = ((y * width) + x) * 4;
                image[i] = r;
                image[i + 1] = g;
                image[i + 2] = b;
                image[i + 3] = 255;
            }
        }

        return image;
    }

    /// <summary>The bars as tightly packed I420 (BT.601 limited range, as the engine's decoder converts back).</summary>
    public static byte[] BarsI420(int width, int height)
    {
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        byte[] image = new byte[(width * height) + (2 * chromaWidth * chromaHeight)];
        for (int x = 0; x < width; x++)
        {
            (byte r, byte g, byte b) = Bars[x * Bars.Length / width];
            byte y = (byte)Math.Round(16 + (0.257 * r) + (0.504 * g) + (0.098 * b));
            for (int row = 0; row < height; row++)
            {
                image[(row * width) + x] = y;
            }
        }

        for (int cx = 0; cx < chromaWidth; cx++)
        {
            (byte r, byte g, byte b) = Bars[Math.Min(width - 1, cx * 2) * Bars.Length / width];
            byte u = (byte)Math.Round(128 - (0.148 * r) - (0.291 * g) + (0.439 * b));
            byte v = (byte)Math.Round(128 + (0.439 * r) - (0.368 * g) - (0.071 * b));
            for (int row = 0; row < chromaHeight; row++)
            {
                image[(width * height) + (row * chromaWidth) + cx] = u;
                image[(width * height) + (chromaWidth * chromaHeight) + (row * chromaWidth) + cx] = v;
            }
        }

        return image;
    }

    /// <summary>The colour expected at the centre of bar <paramref name="bar"/> of an RGB image.</summary>
    public static int BarCentre(int bar, int width) => ((2 * bar) + 1) * width / (2 * Bars.Length);

    /// <summary>Whether every bar of a packed RGB24 or RGBA image has its colour, within <paramref name="tolerance"/>.</summary>
    public static bool ShowsBars(ReadOnlySpan<byte> image, int width, int height, int bytesPerPixel, int tolerance)
    {
        int row = height / 2;
        for (int bar = 0; bar < Bars.Length; bar++)
        {
            int i = ((row * width) + BarCentre(bar, width)) * bytesPerPixel;
            (byte r, byte g, byte b) = Bars[bar];
            if (Math.Abs(image[i] - r) > tolerance || Math.Abs(image[i + 1] - g) > tolerance || Math.Abs(image[i + 2] - b) > tolerance)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Asserts every bar of a packed RGB24 or RGBA image, sampled at its centre on a middle row.</summary>
    public static void AssertBars(ReadOnlySpan<byte> image, int width, int height, int bytesPerPixel, int tolerance)
    {
        int row = height / 2;
        for (int bar = 0; bar < Bars.Length; bar++)
        {
            int i = ((row * width) + BarCentre(bar, width)) * bytesPerPixel;
            (byte r, byte g, byte b) = Bars[bar];
            int[] actual = [image[i], image[i + 1], image[i + 2]];
            actual.Should().SatisfyRespectively(
                v => v.Should().BeCloseTo(r, (byte)tolerance, $"red of bar {bar}"),
                v => v.Should().BeCloseTo(g, (byte)tolerance, $"green of bar {bar}"),
                v => v.Should().BeCloseTo(b, (byte)tolerance, $"blue of bar {bar}"));
        }
    }

    /// <summary>A luma ramp with chroma blocks: an I420 image whose planes are all distinct.</summary>
    public static byte[] GradientI420(int width, int height)
    {
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        byte[] image = new byte[(width * height) + (2 * chromaWidth * chromaHeight)];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[(y * width) + x] = (byte)(16 + ((x + y) % 220));
            }
        }

        for (int i = 0; i < chromaWidth * chromaHeight; i++)
        {
            image[(width * height) + i] = (byte)(64 + (i % 128));
            image[(width * height) + (chromaWidth * chromaHeight) + i] = (byte)(192 - (i % 128));
        }

        return image;
    }

    /// <summary>Interleaved 16-bit PCM of a sine tone.</summary>
    public static byte[] Tone(double frequency, int sampleRate, int channels, int samplesPerChannel, short amplitude, long firstSample)
    {
        byte[] pcm = new byte[samplesPerChannel * channels * 2];
        for (int n = 0; n < samplesPerChannel; n++)
        {
            short value = (short)(amplitude * Math.Sin(2 * Math.PI * frequency * (firstSample + n) / sampleRate));
            for (int c = 0; c < channels; c++)
            {
                BitConverter.TryWriteBytes(pcm.AsSpan(((n * channels) + c) * 2), value);
            }
        }

        return pcm;
    }

    /// <summary>
    /// The frequency of a mono tone, in Hz: the median period between rising zero crossings (interpolated to a
    /// fraction of a sample), counted only within gap-free segments, so a real-time glitch that inserts silence
    /// on a loaded machine does not skew it.
    /// </summary>
    public static double MeasureFrequency(IEnumerable<short[]> segments, int sampleRate)
    {
        var periods = new List<double>();
        foreach (short[] samples in segments)
        {
            double previous = -1;
            for (int i = 1; i < samples.Length; i++)
            {
                if (samples[i - 1] < 0 && samples[i] >= 0)
                {
                    double crossing = i - 1 + (samples[i - 1] / (double)(samples[i - 1] - samples[i]));
                    if (previous >= 0)
                    {
                        periods.Add(crossing - previous);
                    }

                    previous = crossing;
                }
            }
        }

        periods.Should().HaveCountGreaterThan(20, "the tone must be heard for a while");
        periods.Sort();
        return sampleRate / periods[periods.Count / 2];
    }
}
