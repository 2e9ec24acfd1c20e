namespace Pipeline.Core.Avatars;

/// <summary>Something an avatar session reports.</summary>
public abstract record AvatarEvent;

/// <summary>The avatar started talking.</summary>
public sealed record AvatarStartedSpeaking : AvatarEvent;

/// <summary>The avatar stopped talking (finished, or interrupted).</summary>
public sealed record AvatarStoppedSpeaking : AvatarEvent;

/// <summary>A warning from the provider; logged.</summary>
/// <param name="Message">What happened; free of secrets.</param>
public sealed record AvatarWarning(string Message) : AvatarEvent;

/// <summary>An error; becomes an <c>ErrorFrame</c>.</summary>
/// <param name="Message">What went wrong and what it means; free of secrets.</param>
/// <param name="Fatal">Whether the session is unusable (the pipeline must stop).</param>
/// <param name="Exception">The cause, if any.</param>
public sealed record AvatarError(string Message, bool Fatal = false, Exception? Exception = null) : AvatarEvent;
