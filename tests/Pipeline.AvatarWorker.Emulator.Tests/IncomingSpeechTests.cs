using Pipeline.AvatarWorker.Emulator.Worker;

namespace Pipeline.AvatarWorker.Emulator.Tests;

/// <summary>
/// The conversion of the agent's PCM to the avatar's 24 kHz mono: chunk boundaries may fall anywhere (mid-sample,
/// mid-frame) without changing what the avatar gets.
/// </summary>
public sealed class IncomingSpeechTests
{
    [Fact]
    public void Stereo_at_the_avatars_rate_is_mixed_to_mono_exactly_whatever_the_chunking()
    {
        byte[] stereo = WorkerRig.Tone(TimeSpan.FromMilliseconds(500), 24_000, channels: 2);
        byte[] mono = WorkerRig.Tone(TimeSpan.FromMilliseconds(500), 24_000, channels: 1);
        using var speech = new IncomingSpeech(Record(), 24_000, 2);

        byte[] converted = Chunked(speech, stereo, 7);

        converted.Should().Equal(mono, "equal channels average to themselves, and no byte is lost at a split frame");
        speech.SecondsReceived.Should().BeApproximately(0.5, 1e-9);
    }

    [Fact]
    public void Resampled_speech_does_not_depend_on_where_the_chunks_split()
    {
        byte[] pcm = WorkerRig.Tone(TimeSpan.FromMilliseconds(700), 48_000);
        using var whole = new IncomingSpeech(Record(), 48_000, 1);
        using var split = new IncomingSpeech(Record(), 48_000, 1);

        byte[] once = [.. whole.Convert(pcm), .. whole.Flush()];
        byte[] chunked = Chunked(split, pcm, 333);

        chunked.Should().Equal(once);
        (once.Length / 2).Should().BeCloseTo(24_000 * 7 / 10, 2, "0.7 s at 24 kHz");
    }

    private static byte[] Chunked(IncomingSpeech speech, byte[] pcm, int chunk)
    {
        var output = new List<byte>();
        for (int offset = 0; offset < pcm.Length; offset += chunk)
        {
            output.AddRange(speech.Convert(pcm.AsSpan(offset, Math.Min(chunk, pcm.Length - offset))));
        }

        output.AddRange(speech.Flush());
        return [.. output];
    }

    private static AudioStreamRecord Record() => new("stream", "agent", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
}
