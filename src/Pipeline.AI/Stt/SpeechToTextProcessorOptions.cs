using Microsoft.Extensions.AI;
using Pipeline.Core.Audio;

namespace Pipeline.AI.Stt;

/// <summary>Settings of a <see cref="SpeechToTextProcessor"/>.</summary>
public sealed class SpeechToTextProcessorOptions
{
    /// <summary>
    /// Sample rate of the audio sent to the client, in Hz (as 16-bit mono WAV); the user's audio is mixed to mono and
    /// resampled to it. Default 16,000, which every recogniser takes.
    /// </summary>
    public int SampleRate { get; set; } = 16_000;

    /// <summary>Language of the speech (BCP 47, e.g. <c>en-US</c>), passed as <see cref="SpeechToTextOptions.SpeechLanguage"/>; null lets the provider decide.</summary>
    public string? Language { get; set; }

    /// <summary>Further request options (model id, provider-specific properties); cloned per request.</summary>
    public SpeechToTextOptions? SpeechOptions { get; set; }

    /// <summary>
    /// Audio kept from before <see cref="Pipeline.Core.Frames.UserStartedSpeakingFrame"/> and sent with the utterance,
    /// because voice activity detection fires only after the first syllable has begun. Default 300 ms.
    /// </summary>
    public TimeSpan PreRoll { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Longest utterance kept; audio beyond it is dropped (and logged). Default 60 s.</summary>
    public TimeSpan MaxUtterance { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether utterances are sent with <see cref="ISpeechToTextClient.GetStreamingTextAsync"/>, whose in-progress
    /// updates become <see cref="Pipeline.Core.Frames.InterimTranscriptionFrame"/>s. Default false (one
    /// <see cref="ISpeechToTextClient.GetTextAsync"/> per utterance).
    /// </summary>
    public bool Streaming { get; set; }

    /// <summary>The user id put on transcriptions. Default <c>"user"</c>.</summary>
    public string UserId { get; set; } = "user";

    /// <summary>
    /// How long the provider may take without progress before the utterance is abandoned and reported as an
    /// <see cref="Pipeline.Core.Frames.ErrorFrame"/>. Default 30 s; <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan TranscriptionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        PcmFormat.Validate(0, SampleRate, 1, nameof(SampleRate));
        if (PreRoll < TimeSpan.Zero || PreRoll > TimeSpan.FromSeconds(5))
        {
            throw new ArgumentOutOfRangeException(nameof(PreRoll), PreRoll, "PreRoll must be 0 to 5 s.");
        }

        if (MaxUtterance < TimeSpan.FromSeconds(1) || MaxUtterance > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxUtterance), MaxUtterance, "MaxUtterance must be 1 s to 10 min.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(UserId, nameof(UserId));
        if (TranscriptionTimeout <= TimeSpan.Zero && TranscriptionTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                nameof(TranscriptionTimeout), TranscriptionTimeout, "TranscriptionTimeout must be positive, or Timeout.InfiniteTimeSpan to wait forever.");
        }
    }
}
