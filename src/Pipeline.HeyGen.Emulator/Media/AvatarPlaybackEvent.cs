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

/// <summary>Something the avatar's playback did, in media time; the realtime endpoint turns these into server events.</summary>
public abstract record AvatarPlaybackEvent(TimeSpan MediaTime);

/// <summary>The first samples of an utterance were played.</summary>
public sealed record SpeakStarted(TimeSpan MediaTime, string EventId) : AvatarPlaybackEvent(MediaTime);

/// <summary>The last samples of an ended utterance were played.</summary>
public sealed record SpeakEnded(TimeSpan MediaTime, string EventId) : AvatarPlaybackEvent(MediaTime);

/// <summary>An utterance was cut off by <c>agent.interrupt</c>.</summary>
public sealed record SpeakInterrupted(TimeSpan MediaTime, string EventId) : AvatarPlaybackEvent(MediaTime);

/// <summary>The avatar's activity changed.</summary>
public sealed record ActivityChanged(TimeSpan MediaTime, AvatarActivity Previous, AvatarActivity Current) : AvatarPlaybackEvent(MediaTime);
