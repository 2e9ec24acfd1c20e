namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>What the emulated avatar is doing.</summary>
public enum AvatarActivity
{
    /// <summary>Silent, at rest.</summary>
    Idle,

    /// <summary>Silent, in the listening pose (after <c>agent.start_listening</c>).</summary>
    Listening,

    /// <summary>Playing speech.</summary>
    Talking,
}

/// <summary>
/// Something the avatar's playback did, at <paramref name="MediaTime"/> on its playback clock (the clock its video and
/// audio timestamps use); raised by <see cref="EmulatedAvatar.Played"/>, which the realtime endpoint turns into server
/// events.
/// </summary>
/// <param name="MediaTime">When, on the avatar's playback clock.</param>
public abstract record AvatarPlaybackEvent(TimeSpan MediaTime);

/// <summary>The first sample of an utterance plays (<c>agent.speak_started</c>).</summary>
public sealed record SpeakStarted(TimeSpan MediaTime, string EventId, string TaskId) : AvatarPlaybackEvent(MediaTime);

/// <summary>The last sample of an ended utterance has played (<c>agent.speak_ended</c>).</summary>
public sealed record SpeakEnded(TimeSpan MediaTime, string EventId, string TaskId) : AvatarPlaybackEvent(MediaTime);

/// <summary>An utterance was cut off by <c>agent.interrupt</c> (<c>agent.speak_interrupted</c>).</summary>
public sealed record SpeakInterrupted(TimeSpan MediaTime, string EventId, string TaskId) : AvatarPlaybackEvent(MediaTime);

/// <summary>The avatar's activity changed (<c>agent.state_updated</c>).</summary>
public sealed record ActivityChanged(TimeSpan MediaTime, AvatarActivity Previous, AvatarActivity Current) : AvatarPlaybackEvent(MediaTime);
