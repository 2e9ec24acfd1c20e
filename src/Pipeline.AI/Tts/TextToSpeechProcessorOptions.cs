using Microsoft.Extensions.AI;
using Pipeline.Core.Audio;

namespace Pipeline.AI.Tts;

/// <summary>Settings of a <see cref="TextToSpeechProcessor"/>.</summary>
public sealed class TextToSpeechProcessorOptions
{
    /// <summary>
    /// Sample rate of the audio frames pushed downstream, in Hz; the provider's audio is resampled to it. Null (the
    /// default) uses the pipeline's <see cref="Pipeline.Core.Frames.StartFrame.AudioOutSampleRate"/>.
    /// </summary>
    public int? SampleRate { get; set; }

    /// <summary>
    /// Voice, language, speed and format of every request; cloned per request. Leave
    /// <see cref="TextToSpeechOptions.AudioFormat"/> null for the provider's default, or ask for <c>"wav"</c> or
    /// <c>"pcm"</c> from providers that default to compressed audio (only 16-bit PCM, raw or WAV, is decoded).
    /// </summary>
    public TextToSpeechOptions? SpeechOptions { get; set; }

    /// <summary>
    /// Sample rate assumed for raw PCM (<c>audio/pcm</c>, <c>audio/L16</c>) whose media type has no <c>rate=</c>
    /// parameter, in Hz. Default 24,000 (OpenAI's raw PCM rate).
    /// </summary>
    public int RawPcmSampleRate { get; set; } = 24_000;

    /// <summary>Duration of each pushed audio frame. Default 20 ms; the last frame of an utterance may be shorter.</summary>
    public TimeSpan FrameDuration { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long the provider may go without delivering audio (the first chunk, or the next) before the request is
    /// abandoned and reported as an <see cref="Pipeline.Core.Frames.ErrorFrame"/>. Default 30 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan SynthesisTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (SampleRate is { } rate)
        {
            PcmFormat.Validate(0, rate, 1, nameof(SampleRate));
        }

        PcmFormat.Validate(0, RawPcmSampleRate, 1, nameof(RawPcmSampleRate));
        if (FrameDuration < TimeSpan.FromMilliseconds(5) || FrameDuration > TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(FrameDuration), FrameDuration, "FrameDuration must be 5 ms to 1 s.");
        }

        if (SynthesisTimeout <= TimeSpan.Zero && SynthesisTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                nameof(SynthesisTimeout), SynthesisTimeout, "SynthesisTimeout must be positive, or Timeout.InfiniteTimeSpan to wait forever.");
        }
    }
}
