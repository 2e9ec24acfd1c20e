using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.AI;

/// <summary>
/// Where the user started or stopped speaking, queued in order with the data around it; survives interruptions.
/// <see cref="UserStartedSpeakingFrame"/>/<see cref="UserStoppedSpeakingFrame"/> are system frames and overtake the
/// queued audio and transcriptions, so processors that segment by them (speech to text, the LLM's turns) queue this
/// marker with the data as well and act on the marker.
/// </summary>
internal sealed class UserSpeechBoundaryFrame(bool started) : ControlFrame, IUninterruptibleFrame
{
    /// <summary>True where the user started speaking, false where they stopped.</summary>
    public bool Started { get; } = started;

    /// <summary>
    /// The marker to queue before <paramref name="frame"/>: one for a downstream user started/stopped speaking frame,
    /// null for any other frame.
    /// </summary>
    public static UserSpeechBoundaryFrame? Before(Frame frame, FrameDirection direction) =>
        direction == FrameDirection.Downstream && frame is UserStartedSpeakingFrame or UserStoppedSpeakingFrame
            ? new UserSpeechBoundaryFrame(frame is UserStartedSpeakingFrame)
            : null;
}
