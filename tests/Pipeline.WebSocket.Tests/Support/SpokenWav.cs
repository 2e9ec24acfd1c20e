using System.Buffers.Binary;
using System.Diagnostics;
using Pipeline.Core.Audio;

namespace Pipeline.WebSocket.Tests.Support;

/// <summary>
/// A sentence spoken by espeak-ng (build/prereqs/30-local-speech-engines.sh) between silences, as 16 kHz mono PCM16
/// and as a WAV file for Chromium's fake microphone.
/// </summary>
internal sealed record SpokenWav(string Path, byte[] Pcm)
{
    public const int SampleRate = 16_000;

    public TimeSpan Duration => PcmFormat.DurationOf(Pcm.Length, SampleRate);

    public static async Task<SpokenWav> CreateAsync(string sentence, TimeSpan silence, string directory)
    {
        string raw = System.IO.Path.Combine(directory, "espeak.wav");
        var start = new ProcessStartInfo("espeak-ng") { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-v", "en-us", "-s", "150", "-w", raw, sentence })
        {
            start.ArgumentList.Add(arg);
        }

        using Process espeak = Process.Start(start) ?? throw new InvalidOperationException("espeak-ng did not start: run build/prereqs/30-local-speech-engines.sh");
        string errors = await espeak.StandardError.ReadToEndAsync();
        await espeak.WaitForExitAsync();
        if (espeak.ExitCode != 0)
        {
            throw new InvalidOperationException($"espeak-ng failed ({espeak.ExitCode}): {errors}");
        }

        (byte[] speech, int rate) = ReadPcm(await File.ReadAllBytesAsync(raw));
        using var resampler = new StreamingResampler(rate, SampleRate);
        byte[] resampled = new byte[resampler.MaxOutputBytes(speech.Length) + resampler.MaxFlushBytes];
        int n = resampler.Resample(speech, resampled);
        n += resampler.Flush(resampled.AsSpan(n));

        int pad = PcmFormat.BytesFor(silence, SampleRate);
        byte[] pcm = new byte[pad + n + pad];
        resampled.AsSpan(0, n).CopyTo(pcm.AsSpan(pad));
        string path = System.IO.Path.Combine(directory, "microphone.wav");
        await File.WriteAllBytesAsync(path, WriteWav(pcm, SampleRate));
        return new SpokenWav(path, pcm);
    }

    private static (byte[] Pcm, int SampleRate) ReadPcm(ReadOnlySpan<byte> wav)
    {
        int rate = 0;
        for (int offset = 12; offset + 8 <= wav.Length;)
        {
            string id = System.Text.Encoding.ASCII.GetString(wav.Slice(offset, 4));
            int size = BinaryPrimitives.ReadInt32LittleEndian(wav[(offset + 4)..]);
            if (id == "fmt ")
            {
                rate = BinaryPrimitives.ReadInt32LittleEndian(wav[(offset + 12)..]);
            }
            else if (id == "data")
            {
                int length = size <= 0 || size > wav.Length - offset - 8 ? wav.Length - offset - 8 : size;
                return (wav.Slice(offset + 8, length & ~1).ToArray(), rate);
            }

            offset += 8 + size + (size & 1);
        }

        throw new InvalidDataException("espeak-ng wrote a WAV file without a data chunk.");
    }

    private static byte[] WriteWav(ReadOnlySpan<byte> pcm, int rate)
    {
        byte[] file = new byte[44 + pcm.Length];
        Span<byte> h = file;
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], 36 + pcm.Length);
        "WAVEfmt "u8.CopyTo(h[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(h[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], rate);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], rate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(h[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[40..], pcm.Length);
        pcm.CopyTo(h[44..]);
        return file;
    }
}
