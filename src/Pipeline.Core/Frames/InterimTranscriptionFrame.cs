namespace Pipeline.Core.Frames;

/// <summary>
/// A provisional transcription of speech still being recognised: a later interim or the final
/// <see cref="TranscriptionFrame"/> replaces it. Useful for live captions; never a user turn.
/// </summary>
public sealed class InterimTranscriptionFrame : TextFrame
{
    /// <summary>Creates an interim transcription.</summary>
    public InterimTranscriptionFrame(string text, string userId, DateTimeOffset timestamp) : base(text)
    {
        ArgumentNullException.ThrowIfNull(userId);
        UserId = userId;
        Timestamp = timestamp;
    }

    /// <summary>Who spoke.</summary>
    public string UserId { get; }

    /// <summary>When the text was recognised.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Language of the text (BCP 47), when known.</summary>
    public string? Language { get; init; }
}
