namespace Pipeline.Core.Frames;

/// <summary>Voice activity detection saw the user start speaking.</summary>
public sealed class UserStartedSpeakingFrame : SystemFrame;

/// <summary>Voice activity detection saw the user stop speaking.</summary>
public sealed class UserStoppedSpeakingFrame : SystemFrame;

/// <summary>The bot's speech started playing (or, for an avatar, the avatar started talking).</summary>
public sealed class BotStartedSpeakingFrame : SystemFrame;

/// <summary>The bot's speech finished playing (or, for an avatar, the avatar stopped talking).</summary>
public sealed class BotStoppedSpeakingFrame : SystemFrame;

/// <summary>A text-to-speech service started an utterance.</summary>
public sealed class TTSStartedFrame : ControlFrame
{
    /// <summary>Identifies the utterance; the matching audio and stop frames carry the same id.</summary>
    public string? ContextId { get; init; }
}

/// <summary>A text-to-speech service finished an utterance: no more audio follows for <see cref="ContextId"/>.</summary>
public sealed class TTSStoppedFrame : ControlFrame
{
    /// <summary>Identifies the utterance.</summary>
    public string? ContextId { get; init; }
}
