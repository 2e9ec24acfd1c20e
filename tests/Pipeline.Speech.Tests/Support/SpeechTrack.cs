using System.Buffers.Binary;
using Pipeline.Core.Audio;
using Pipeline.LocalEngines;

namespace Pipeline.Speech.Tests.Support;

/// <summary>
/// A test recording with known speech boundaries: espeak-ng sentences, trimmed to where their sound starts and ends,
/// placed between silences of known length. Mono 16-bit PCM.
/// </summary>
internal sealed record SpeechTrack(byte[] Pcm, int SampleRate, IReadOnlyList<(TimeSpan Start, TimeSpan End)> Speech)
{
    /// <summary>A 10 ms block counts as sound above this RMS level (espeak speech sits around -20 dBFS).</summary>
    private const double SoundDbfs = -45;

    public TimeSpan Duration => PcmFormat.DurationOf(Pcm.Length, SampleRate);

    /// <summary>
    /// Builds <c>[lead silence][sentence][gap][sentence]...[tail silence]</c> at 16 kHz; the boundaries are where each
    /// trimmed sentence was placed.
    /// </summary>
    public static async Task<SpeechTrack> BuildAsync(TimeSpan lead, TimeSpan gap, TimeSpan tail, params string[] sentences)
    {
        const int rate = 16_000;
        using var tts = new EspeakTextToSpeechClient();
        using var pcm = new MemoryStream();
        var speech = new List<(TimeSpan, TimeSpan)>();
        pcm.Write(new byte[PcmFormat.BytesFor(lead, rate)]);
        for (int i = 0; i < sentences.Length; i++)
        {
            var response = await tts.GetAudioAsync(sentences[i]);
            WavAudio wav = WavAudio.Parse(response.Contents.OfType<Microsoft.Extensions.AI.DataContent>().Single().Data.Span);
            byte[] trimmed = Trim(Resample(wav.Pcm, wav.SampleRate, rate), rate);
            TimeSpan start = PcmFormat.DurationOf((int)pcm.Length, rate);
            pcm.Write(trimmed);
            speech.Add((start, PcmFormat.DurationOf((int)pcm.Length, rate)));
            pcm.Write(new byte[PcmFormat.BytesFor(i == sentences.Length - 1 ? tail : gap, rate)]);
        }

        return new SpeechTrack(pcm.ToArray(), rate, speech);
    }

    /// <summary>Silence of the given length (digital zeros).</summary>
    public static SpeechTrack Silence(TimeSpan duration, int rate = 16_000) =>
        new(new byte[PcmFormat.BytesFor(duration, rate)], rate, []);

    /// <summary>The same track with deterministic white noise added at <paramref name="noiseDbfs"/> RMS.</summary>
    public SpeechTrack WithNoise(double noiseDbfs, int seed = 1234)
    {
        var random = new Random(seed);
        // Uniform noise in [-a, a] has RMS a / sqrt(3).
        double amplitude = Math.Pow(10, noiseDbfs / 20) * Math.Sqrt(3) * 32768;
        byte[] noisy = (byte[])Pcm.Clone();
        for (int i = 0; i < noisy.Length; i += 2)
        {
            int sample = BinaryPrimitives.ReadInt16LittleEndian(noisy.AsSpan(i)) + (int)Math.Round((random.NextDouble() * 2 - 1) * amplitude);
            BinaryPrimitives.WriteInt16LittleEndian(noisy.AsSpan(i), (short)Math.Clamp(sample, short.MinValue, short.MaxValue));
        }

        return this with { Pcm = noisy };
    }

    /// <summary>The same track at another rate (boundaries are times, so they stay).</summary>
    public SpeechTrack At(int rate) => rate == SampleRate ? this : this with { Pcm = Resample(Pcm, SampleRate, rate), SampleRate = rate };

    /// <summary>The track cut into chunks of <paramref name="chunk"/>, as an input transport delivers it.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Chunks(TimeSpan chunk)
    {
        int size = PcmFormat.BytesFor(chunk, SampleRate);
        for (int offset = 0; offset < Pcm.Length; offset += size)
        {
            yield return Pcm.AsMemory(offset, Math.Min(size, Pcm.Length - offset));
        }
    }

    public static byte[] Resample(byte[] pcm, int from, int to)
    {
        if (from == to)
        {
            return pcm;
        }

        using var resampler = new StreamingResampler(from, to);
        byte[] output = new byte[resampler.MaxOutputBytes(pcm.Length) + resampler.MaxFlushBytes];
        int n = resampler.Resample(pcm, output);
        n += resampler.Flush(output.AsSpan(n));
        return output.AsSpan(0, n).ToArray();
    }

    private static byte[] Trim(byte[] pcm, int rate)
    {
        int block = rate / 100 * 2;
        int first = -1, last = -1;
        for (int offset = 0; offset + block <= pcm.Length; offset += block)
        {
            double sum = 0;
            for (int i = offset; i < offset + block; i += 2)
            {
                double s = BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(i)) / 32768.0;
                sum += s * s;
            }

            if (10 * Math.Log10(sum / (block / 2) + 1e-20) > SoundDbfs)
            {
                first = first < 0 ? offset : first;
                last = offset + block;
            }
        }

        if (first < 0)
        {
            throw new InvalidOperationException("espeak-ng produced no audible sound.");
        }

        return pcm.AsSpan(first, last - first).ToArray();
    }
}
