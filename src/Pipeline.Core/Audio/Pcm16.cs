using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pipeline.Core.Audio;

/// <summary>Small helpers over 16-bit little-endian PCM.</summary>
public static class Pcm16
{
    /// <summary>Views little-endian PCM bytes as samples (this library only runs on little-endian machines).</summary>
    public static ReadOnlySpan<short> AsSamples(ReadOnlySpan<byte> pcm) => MemoryMarshal.Cast<byte, short>(pcm);

    /// <summary>Root-mean-square level of the samples, from 0 (silence) to 1 (full-scale square wave).</summary>
    public static double Rms(ReadOnlySpan<byte> pcm)
    {
        ReadOnlySpan<short> samples = AsSamples(pcm);
        if (samples.IsEmpty)
        {
            return 0;
        }

        double sum = 0;
        foreach (short s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length) / 32768.0;
    }

    /// <summary>Level in dBFS (full scale = 0 dB; silence = <see cref="double.NegativeInfinity"/>).</summary>
    public static double LevelDbfs(ReadOnlySpan<byte> pcm)
    {
        double rms = Rms(pcm);
        return rms <= 0 ? double.NegativeInfinity : 20 * Math.Log10(rms);
    }

    /// <summary>True when no sample's magnitude exceeds <paramref name="threshold"/>.</summary>
    public static bool IsSilence(ReadOnlySpan<byte> pcm, short threshold = 0)
    {
        foreach (short s in AsSamples(pcm))
        {
            if (Math.Abs((int)s) > threshold)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes <paramref name="duration"/> of silence at the given rate into a new buffer.</summary>
    public static byte[] Silence(TimeSpan duration, int sampleRate, int channels = 1) =>
        new byte[PcmFormat.BytesFor(duration, sampleRate, channels)];

    /// <summary>Mixes interleaved multi-channel PCM down to mono by averaging the channels.</summary>
    /// <param name="interleaved">Interleaved PCM with <paramref name="channels"/> channels.</param>
    /// <param name="channels">Channel count of the input.</param>
    /// <param name="mono">Destination; must hold at least <c>interleaved.Length / channels</c> bytes.</param>
    /// <returns>Bytes written to <paramref name="mono"/>.</returns>
    public static int MixToMono(ReadOnlySpan<byte> interleaved, int channels, Span<byte> mono)
    {
        if (channels < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channel count must be at least 1.");
        }

        if (interleaved.Length % (2 * channels) != 0)
        {
            throw new ArgumentException("Input is not a whole number of sample frames.", nameof(interleaved));
        }

        int frames = interleaved.Length / (2 * channels);
        if (mono.Length < frames * 2)
        {
            throw new ArgumentException($"Destination needs {frames * 2} bytes.", nameof(mono));
        }

        ReadOnlySpan<short> src = AsSamples(interleaved);
        for (int f = 0; f < frames; f++)
        {
            int sum = 0;
            for (int c = 0; c < channels; c++)
            {
                sum += src[(f * channels) + c];
            }

            BinaryPrimitives.WriteInt16LittleEndian(mono[(f * 2)..], (short)(sum / channels));
        }

        return frames * 2;
    }

    /// <summary>Adds <paramref name="source"/> into <paramref name="destination"/> sample by sample, with saturation.</summary>
    public static void MixInto(Span<byte> destination, ReadOnlySpan<byte> source)
    {
        Span<short> dst = MemoryMarshal.Cast<byte, short>(destination);
        ReadOnlySpan<short> src = AsSamples(source);
        int n = Math.Min(dst.Length, src.Length);
        for (int i = 0; i < n; i++)
        {
            dst[i] = (short)Math.Clamp(dst[i] + src[i], short.MinValue, short.MaxValue);
        }
    }

    /// <summary>Generates a sine tone as mono 16-bit PCM (useful for tests, examples and benchmarks).</summary>
    /// <param name="frequencyHz">Tone frequency, in Hz.</param>
    /// <param name="duration">Length of the tone.</param>
    /// <param name="sampleRate">Sample rate, in Hz.</param>
    /// <param name="amplitude">Peak amplitude from 0 to 1.</param>
    /// <param name="startSample">Index of the first sample, to continue a tone across buffers without a phase jump.</param>
    public static byte[] Sine(double frequencyHz, TimeSpan duration, int sampleRate, double amplitude = 0.5, long startSample = 0)
    {
        int n = (int)(duration.Ticks * sampleRate / TimeSpan.TicksPerSecond);
        byte[] buffer = new byte[n * 2];
        Span<short> samples = MemoryMarshal.Cast<byte, short>(buffer.AsSpan());
        for (int i = 0; i < n; i++)
        {
            samples[i] = (short)Math.Round(amplitude * 32767 * Math.Sin(2 * Math.PI * frequencyHz * (startSample + i) / sampleRate));
        }

        return buffer;
    }
}
