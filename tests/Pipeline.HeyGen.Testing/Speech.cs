using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.HeyGen.Testing;

/// <summary>Speech-like test audio (a warbling tone with syllable-like loudness) and its TTS frames.</summary>
public static class Speech
{
    public static byte[] Make(TimeSpan duration, int sampleRate)
    {
        int n = (int)(duration.Ticks * sampleRate / TimeSpan.TicksPerSecond);
        byte[] pcm = new byte[n * 2];
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / sampleRate;
            double envelope = 0.25 + (0.2 * Math.Sin(2 * Math.PI * 4 * t));
            double value = envelope * Math.Sin((2 * Math.PI * 180 * t) + (3 * Math.Sin(2 * Math.PI * 5 * t)));
            BitConverter.TryWriteBytes(pcm.AsSpan(i * 2), (short)(value * 32767));
        }

        return pcm;
    }

    public static IEnumerable<Frame> TtsFrames(byte[] pcm, int sampleRate, string contextId, TimeSpan? frame = null)
    {
        int bytes = PcmFormat.BytesFor(frame ?? TimeSpan.FromMilliseconds(20), sampleRate);
        for (int offset = 0; offset < pcm.Length; offset += bytes)
        {
            yield return new TTSAudioRawFrame(pcm.AsMemory(offset, Math.Min(bytes, pcm.Length - offset)), sampleRate, 1) { ContextId = contextId };
        }
    }

    /// <summary>What the service should send: the input resampled to 24 kHz chunk by chunk, tail flushed.</summary>
    public static byte[] ResampledTo24k(byte[] pcm, int sampleRate, TimeSpan frame)
    {
        using var resampler = new StreamingResampler(sampleRate, 24_000);
        int bytes = PcmFormat.BytesFor(frame, sampleRate);
        var output = new List<byte>();
        for (int offset = 0; offset < pcm.Length; offset += bytes)
        {
            output.AddRange(resampler.Resample(pcm.AsSpan(offset, Math.Min(bytes, pcm.Length - offset))));
        }

        byte[] tail = new byte[resampler.MaxFlushBytes];
        output.AddRange(tail.AsSpan(0, resampler.Flush(tail)).ToArray());
        return [.. output];
    }
}
