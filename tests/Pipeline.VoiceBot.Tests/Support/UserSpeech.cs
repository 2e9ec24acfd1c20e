using System.Buffers.Binary;
using Microsoft.Extensions.AI;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.LocalEngines;

namespace Pipeline.VoiceBot.Tests.Support;

/// <summary>
/// What the user says into the microphone: an espeak-ng sentence, trimmed to where its sound starts and ends, between
/// silences of known length, so the test knows where speech begins and ends. Mono 16-bit PCM at 16 kHz.
/// </summary>
internal sealed record UserSpeech(byte[] Pcm, TimeSpan SpeechStart, TimeSpan SpeechEnd)
{
    public const int SampleRate = 16_000;

    /// <summary>Input transports deliver 20 ms frames.</summary>
    public static readonly TimeSpan Chunk = TimeSpan.FromMilliseconds(20);

    /// <summary>A 10 ms block counts as sound above this RMS level (espeak speech sits around -20 dBFS).</summary>
    private const double SoundDbfs = -45;

    // espeak-ng's Klatt voice at 160 words per minute is the voice pocketsphinx recognises best (see
    // tests/Pipeline.Speech.Tests/PocketsphinxSpeechToTextTests.cs).
    private static readonly EspeakOptions Speaker = new() { Voice = "en-us+klatt", WordsPerMinute = 160 };

    public TimeSpan Duration => PcmFormat.DurationOf(Pcm.Length, SampleRate);

    public static async Task<UserSpeech> SayAsync(string sentence, TimeSpan lead, TimeSpan tail)
    {
        using var tts = new EspeakTextToSpeechClient(Speaker);
        TextToSpeechResponse response = await tts.GetAudioAsync(sentence);
        WavAudio wav = WavAudio.Parse(response.Contents.OfType<DataContent>().Single().Data.Span);
        using var resampler = new StreamingResampler(wav.SampleRate, SampleRate);
        byte[] resampled = new byte[resampler.MaxOutputBytes(wav.Pcm.Length) + resampler.MaxFlushBytes];
        int n = resampler.Resample(wav.Pcm, resampled);
        n += resampler.Flush(resampled.AsSpan(n));
        byte[] speech = Trim(resampled.AsSpan(0, n));

        byte[] pcm = new byte[PcmFormat.BytesFor(lead, SampleRate) + speech.Length + PcmFormat.BytesFor(tail, SampleRate)];
        speech.CopyTo(pcm.AsSpan(PcmFormat.BytesFor(lead, SampleRate)));
        return new UserSpeech(pcm, lead, lead + PcmFormat.DurationOf(speech.Length, SampleRate));
    }

    /// <summary>The recording as an input transport delivers it: 20 ms <see cref="InputAudioRawFrame"/>s.</summary>
    public IEnumerable<InputAudioRawFrame> Frames()
    {
        int size = PcmFormat.BytesFor(Chunk, SampleRate);
        for (int offset = 0; offset < Pcm.Length; offset += size)
        {
            yield return new InputAudioRawFrame(Pcm.AsMemory(offset, Math.Min(size, Pcm.Length - offset)), SampleRate, 1);
        }
    }

    /// <summary>A 20 ms frame of microphone silence (digital zeros).</summary>
    public static InputAudioRawFrame SilenceFrame() => new(new byte[PcmFormat.BytesFor(Chunk, SampleRate)], SampleRate, 1);

    private static byte[] Trim(ReadOnlySpan<byte> pcm)
    {
        int block = SampleRate / 100 * 2;
        int first = -1, last = -1;
        for (int offset = 0; offset + block <= pcm.Length; offset += block)
        {
            double sum = 0;
            for (int i = offset; i < offset + block; i += 2)
            {
                double s = BinaryPrimitives.ReadInt16LittleEndian(pcm[i..]) / 32768.0;
                sum += s * s;
            }

            if (10 * Math.Log10((sum / (block / 2)) + 1e-20) > SoundDbfs)
            {
                first = first < 0 ? offset : first;
                last = offset + block;
            }
        }

        return first < 0 ? throw new InvalidOperationException("espeak-ng produced no audible sound.") : pcm[first..last].ToArray();
    }
}
