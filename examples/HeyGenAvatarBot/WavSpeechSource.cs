using HeyGenAvatarBot.Output;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace HeyGenAvatarBot;

/// <summary>
/// Stands in for a TTS service: each <see cref="TextFrame"/> naming a sentence becomes that sentence's recorded
/// speech, as a streaming TTS would deliver it: <see cref="TTSStartedFrame"/>, 20 ms <see cref="TTSAudioRawFrame"/>s,
/// <see cref="TTSStoppedFrame"/>, all with one context id.
/// </summary>
internal sealed class WavSpeechSource(IReadOnlyList<SpeechClip> clips) : FrameProcessor("WavSpeechSource")
{
    private static readonly TimeSpan FrameDuration = TimeSpan.FromMilliseconds(20);

    public event Action<SpeechClip>? ClipStarted;

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (frame is not TextFrame text || direction != FrameDirection.Downstream)
        {
            await PushFrameAsync(frame, direction, cancellationToken);
            return;
        }

        SpeechClip clip = clips.FirstOrDefault(c => c.Text == text.Text)
            ?? throw new InvalidOperationException($"No recording for \"{text.Text}\".");
        string contextId = $"sentence-{clip.Number}-{text.Id}";
        ClipStarted?.Invoke(clip);
        await PushFrameAsync(new TTSStartedFrame { ContextId = contextId }, cancellationToken: cancellationToken);
        int frameBytes = PcmFormat.BytesFor(FrameDuration, clip.SampleRate);
        for (int offset = 0; offset < clip.Pcm.Length; offset += frameBytes)
        {
            ReadOnlyMemory<byte> chunk = clip.Pcm.AsMemory(offset, Math.Min(frameBytes, clip.Pcm.Length - offset));
            await PushFrameAsync(new TTSAudioRawFrame(chunk, clip.SampleRate, 1) { ContextId = contextId }, cancellationToken: cancellationToken);
        }

        await PushFrameAsync(new TTSStoppedFrame { ContextId = contextId }, cancellationToken: cancellationToken);
    }
}

/// <summary>One recorded sentence.</summary>
internal sealed record SpeechClip(int Number, string Text, byte[] Pcm, int SampleRate)
{
    public TimeSpan Duration => PcmFormat.DurationOf(Pcm.Length, SampleRate);

    /// <summary>Loads <c>sentence-N.wav</c> for each line of <c>sentences.txt</c> in <paramref name="directory"/>.</summary>
    public static IReadOnlyList<SpeechClip> LoadAll(string directory)
    {
        string[] lines = File.ReadAllLines(Path.Combine(directory, "sentences.txt")).Where(l => l.Length > 0).ToArray();
        var clips = new List<SpeechClip>();
        for (int i = 0; i < lines.Length; i++)
        {
            (byte[] pcm, int rate, int channels) = Output.WavFile.Read(Path.Combine(directory, $"sentence-{i + 1}.wav"));
            if (channels != 1)
            {
                throw new InvalidDataException($"sentence-{i + 1}.wav must be mono.");
            }

            clips.Add(new SpeechClip(i + 1, lines[i], pcm, rate));
        }

        return clips;
    }
}
