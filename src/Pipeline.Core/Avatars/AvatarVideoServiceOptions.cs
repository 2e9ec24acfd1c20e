using Pipeline.Core.Frames;

namespace Pipeline.Core.Avatars;

/// <summary>Settings of an <see cref="AvatarVideoService"/>, whatever the provider.</summary>
public class AvatarVideoServiceOptions
{
    /// <summary>
    /// For TTS services that send no <see cref="TTSStartedFrame"/>/<see cref="TTSStoppedFrame"/>: an utterance
    /// ends after this long without audio. Utterances opened by a <see cref="TTSStartedFrame"/> end only at their
    /// <see cref="TTSStoppedFrame"/>. Default 350 ms.
    /// </summary>
    public TimeSpan EndOfUtteranceTimeout { get; set; } = TimeSpan.FromMilliseconds(350);

    /// <summary>
    /// Hold the avatar's media back until an <see cref="OutputTransportReadyFrame"/> has been seen (default true, as
    /// Pipecat does). Set false for an output that never sends one; media then flows as soon as it arrives.
    /// </summary>
    public bool WaitForOutputTransportReady { get; set; } = true;

    /// <summary>
    /// On <see cref="EndFrame"/>, how long to let the avatar finish the speech it was given before the session is
    /// closed. Default 15 s; zero closes at once.
    /// </summary>
    public TimeSpan EndDrainTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Throws an <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    protected internal virtual void Validate()
    {
        CheckPositive(EndOfUtteranceTimeout, nameof(EndOfUtteranceTimeout), TimeSpan.FromMinutes(1));
        if (EndDrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(EndDrainTimeout), EndDrainTimeout, "Must not be negative.");
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is above zero and at most <paramref name="max"/>.</summary>
    protected static void CheckPositive(TimeSpan value, string name, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be above zero and at most {max}.");
        }
    }
}
