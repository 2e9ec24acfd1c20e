namespace Pipeline.Core.Frames;

/// <summary>A piece of text, e.g. LLM output on its way to text-to-speech.</summary>
public class TextFrame : DataFrame
{
    /// <summary>Creates a text frame.</summary>
    public TextFrame(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    /// <summary>The text.</summary>
    public string Text { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}(\"{(Text.Length > 40 ? Text[..40] + "…" : Text)}\")";
}

/// <summary>Text recognised from the user's speech.</summary>
public sealed class TranscriptionFrame : TextFrame
{
    /// <summary>Creates a transcription.</summary>
    public TranscriptionFrame(string text, string userId, DateTimeOffset timestamp) : base(text)
    {
        ArgumentNullException.ThrowIfNull(userId);
        UserId = userId;
        Timestamp = timestamp;
    }

    /// <summary>Who spoke.</summary>
    public string UserId { get; }

    /// <summary>When the speech was recognised.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Language of the text (BCP 47), when known.</summary>
    public string? Language { get; init; }
}
