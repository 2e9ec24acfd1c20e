using System.Text;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.AI.Llm;

/// <summary>
/// Joins streamed <see cref="LLMTextFrame"/>s into whole sentences, each pushed on as a <see cref="TextFrame"/>, so that
/// text-to-speech starts speaking at the end of the first sentence instead of the end of the reply, and never speaks
/// half a sentence with the wrong intonation. Sentence ends are found by <see cref="SentenceBoundary"/>.
/// </summary>
/// <remarks>
/// The rest of a reply is flushed at its <see cref="LLMFullResponseEndFrame"/>; an <see cref="InterruptionFrame"/>
/// discards it. Other frames pass unchanged.
/// </remarks>
public sealed class SentenceAggregator : FrameProcessor
{
    private readonly StringBuilder _buffer = new();
    private readonly Lock _lock = new();

    /// <summary>Creates a sentence aggregator.</summary>
    public SentenceAggregator(string? name = null)
        : base(name)
    {
    }

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case LLMTextFrame piece when direction == FrameDirection.Downstream:
                foreach (string sentence in Append(piece.Text))
                {
                    await PushFrameAsync(new TextFrame(sentence), direction, cancellationToken).ConfigureAwait(false);
                }

                return;
            case LLMFullResponseStartFrame when direction == FrameDirection.Downstream:
                Clear();
                break;
            case LLMFullResponseEndFrame or EndFrame when direction == FrameDirection.Downstream:
                string rest = TakeRest();
                if (rest.Length > 0)
                {
                    await PushFrameAsync(new TextFrame(rest), direction, cancellationToken).ConfigureAwait(false);
                }

                break;
            case InterruptionFrame:
                Clear();
                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    // The buffer is touched by the data path and by interruptions (system path): both under the lock.
    private List<string> Append(string text)
    {
        var sentences = new List<string>(1);
        lock (_lock)
        {
            _buffer.Append(text);
            while (true)
            {
                string current = _buffer.ToString();
                int end = SentenceBoundary.FindEnd(current);
                if (end == 0)
                {
                    break;
                }

                string sentence = current[..end].Trim();
                if (sentence.Length > 0)
                {
                    sentences.Add(sentence);
                }

                _buffer.Remove(0, end);
            }
        }

        return sentences;
    }

    private string TakeRest()
    {
        lock (_lock)
        {
            string rest = _buffer.ToString().Trim();
            _buffer.Clear();
            return rest;
        }
    }

    private void Clear()
    {
        lock (_lock)
        {
            _buffer.Clear();
        }
    }
}
