namespace Pipeline.Core.Frames;

/// <summary>
/// The text a text-to-speech service has just turned into audio, pushed after that audio so that whoever sees it
/// downstream knows the bot has said it (an assistant context aggregator records it as the bot's turn). Not spoken
/// again by another text-to-speech service.
/// </summary>
public sealed class TTSTextFrame(string text) : TextFrame(text)
{
    /// <summary>The utterance the text belongs to; matches the surrounding <see cref="TTSStartedFrame"/>.</summary>
    public string? ContextId { get; init; }
}
