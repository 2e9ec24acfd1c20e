namespace Pipeline.Core.Frames;

/// <summary>
/// An LLM started streaming one response. The response's text follows as <see cref="LLMTextFrame"/>s and ends with
/// an <see cref="LLMFullResponseEndFrame"/> (unless an interruption cuts it short).
/// </summary>
public sealed class LLMFullResponseStartFrame : ControlFrame;

/// <summary>An LLM finished one response: no more <see cref="LLMTextFrame"/>s follow for it.</summary>
public sealed class LLMFullResponseEndFrame : ControlFrame;

/// <summary>
/// A piece of streamed LLM output (a token or a few), between <see cref="LLMFullResponseStartFrame"/> and
/// <see cref="LLMFullResponseEndFrame"/>. Pieces are not sentences: a sentence aggregator joins them before
/// text-to-speech.
/// </summary>
public sealed class LLMTextFrame(string text) : TextFrame(text);
