using System.Buffers.Binary;

namespace Pipeline.WebSocket.Tests.Support;

/// <summary>Test media: sine tones as PCM16 and solid-colour images.</summary>
internal static class TestSignals
{
    public static byte[] Tone(double frequency, TimeSpan duration, int sampleRate, double amplitude = 0.5)
    {
        int samples = (int)(duration.TotalSeconds * sampleRate);
        byte[] pcm = new byte[samples * 2];
        for (int i = 0; i < samples; i++)
        {
            short s = (short)(amplitude * short.MaxValue * Math.Sin(2 * Math.PI * frequency * i / sampleRate));
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), s);
        }

        return pcm;
    }

    public static byte[] SolidRgb(int width, int height, byte r, byte g, byte b)
    {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < rgb.Length; i += 3)
        {
            rgb[i] = r;
            rgb[i + 1] = g;
            rgb[i + 2] = b;
        }

        return rgb;
    }

    /// <summary>Zero crossings per second of PCM16: twice the frequency of a pure tone.</summary>
    public static double ZeroCrossingsPerSecond(ReadOnlySpan<byte> pcm, int sampleRate)
    {
        int crossings = 0;
        short previous = BinaryPrimitives.ReadInt16LittleEndian(pcm);
        for (int i = 2; i + 1 < pcm.Length; i += 2)
        {
            short s = BinaryPrimitives.ReadInt16LittleEndian(pcm[i..]);
            if ((previous < 0) != (s < 0))
            {
                crossings++;
            }

            previous = s;
        }

        return crossings / (pcm.Length / 2.0 / sampleRate);
    }
}
