namespace Pipeline.Silero;

/// <summary>Whether the user started or stopped speaking.</summary>
public enum VoiceActivityKind
{
    /// <summary>Speech began.</summary>
    Started,

    /// <summary>Speech ended.</summary>
    Stopped,
}

/// <summary>A change of the user's speaking state, found by a <see cref="VoiceActivityDetector"/>.</summary>
/// <param name="Kind">Started or stopped.</param>
/// <param name="Position">
/// Where in the stream (time since its first sample) speech began (the start of its first speech window) or ended
/// (the end of its last speech window).
/// </param>
/// <param name="DetectedAt">
/// Where in the stream the change was confirmed, i.e. when it could be reported: for a stop exactly
/// <see cref="Position"/> plus the stop duration; for a start at least <see cref="Position"/> plus the start duration
/// (more when short dips interrupted the first speech, see <see cref="VadOptions.StartDuration"/>).
/// </param>
public readonly record struct VoiceActivityEvent(VoiceActivityKind Kind, TimeSpan Position, TimeSpan DetectedAt);
