using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace CoreQuickstart;

/// <summary>Stands in for a TTS service: each word of a <see cref="TextFrame"/> becomes 200 ms of tone.</summary>
internal sealed class ToneSpeaker(int sampleRate) : FrameProcessor
{
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (frame is not TextFrame text)
        {
            await PushFrameAsync(frame, direction, cancellationToken);
            return;
        }

        string contextId = $"utterance-{text.Id}";
        StartTtfbMetrics();
        await PushFrameAsync(new TTSStartedFrame { ContextId = contextId }, cancellationToken: cancellationToken);
        string[] words = text.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            double pitch = 220 + (40 * (words[i].Length % 8));
            byte[] tone = Pcm16.Sine(pitch, TimeSpan.FromMilliseconds(200), sampleRate, amplitude: 0.3);
            await StopTtfbMetricsAsync();
            // 20 ms frames, as a streaming TTS would deliver them.
            int frameBytes = PcmFormat.BytesFor(TimeSpan.FromMilliseconds(20), sampleRate);
            for (int offset = 0; offset < tone.Length; offset += frameBytes)
            {
                var chunk = tone.AsMemory(offset, Math.Min(frameBytes, tone.Length - offset));
                await PushFrameAsync(new TTSAudioRawFrame(chunk, sampleRate, 1) { ContextId = contextId }, cancellationToken: cancellationToken);
            }
        }

        await PushFrameAsync(new TTSStoppedFrame { ContextId = contextId }, cancellationToken: cancellationToken);
    }
}

/// <summary>Resamples mono audio frames to one output rate, keeping filter state across frames of an utterance.</summary>
internal sealed class ResampleProcessor(int outputRate) : FrameProcessor
{
    private StreamingResampler? _resampler;

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case TTSAudioRawFrame audio:
                if (_resampler is null || _resampler.InputRate != audio.SampleRate)
                {
                    _resampler?.Dispose();
                    _resampler = new StreamingResampler(audio.SampleRate, outputRate);
                }

                byte[] resampled = _resampler.Resample(audio.Audio.Span);
                await PushFrameAsync(new TTSAudioRawFrame(resampled, outputRate, 1) { ContextId = audio.ContextId }, direction, cancellationToken);
                break;
            case TTSStoppedFrame when _resampler is not null:
                byte[] tail = new byte[_resampler.MaxFlushBytes];
                int n = _resampler.Flush(tail);
                if (n > 0)
                {
                    await PushFrameAsync(new TTSAudioRawFrame(tail.AsMemory(0, n), outputRate, 1), direction, cancellationToken);
                }

                await PushFrameAsync(frame, direction, cancellationToken);
                break;
            default:
                await PushFrameAsync(frame, direction, cancellationToken);
                break;
        }
    }

    protected override ValueTask CleanupAsync()
    {
        _resampler?.Dispose();
        return default;
    }
}

/// <summary>Counts and measures the audio that reaches the end of the pipeline.</summary>
internal sealed class AudioMeter : FrameProcessor
{
    public int Frames { get; private set; }

    public TimeSpan Duration { get; private set; }

    public int SampleRate { get; private set; }

    public double PeakDbfs { get; private set; } = double.NegativeInfinity;

    protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (frame is AudioRawFrame audio)
        {
            Frames++;
            Duration += audio.Duration;
            SampleRate = audio.SampleRate;
            PeakDbfs = Math.Max(PeakDbfs, Pcm16.LevelDbfs(audio.Audio.Span));
        }

        return PushFrameAsync(frame, direction, cancellationToken);
    }
}
