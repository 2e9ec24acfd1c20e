using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.AI.Llm;

/// <summary>
/// Records what the bot actually said as its turn in a <see cref="ChatContext"/>: place it after the last processor
/// that speaks — after the avatar service when there is one (it releases each sentence's <see cref="TTSTextFrame"/>
/// only once the avatar has spoken the audio before it), else after the text-to-speech processor or the output
/// transport — where a <see cref="TTSTextFrame"/> arrives only once its audio has gone ahead. An interruption drops the frames still queued before this point, so a reply cut short is recorded
/// only up to the last sentence that got through. Every frame is passed on unchanged.
/// </summary>
public sealed class AssistantContextAggregator : FrameProcessor
{
    /// <summary>Creates an aggregator that records into <paramref name="context"/> (usually <see cref="LLMProcessor.Context"/>).</summary>
    public AssistantContextAggregator(ChatContext context, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
    }

    /// <summary>The conversation the bot's spoken text goes to.</summary>
    public ChatContext Context { get; }

    /// <inheritdoc />
    protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (frame is TTSTextFrame spoken && direction == FrameDirection.Downstream)
        {
            Context.AppendSpokenAssistantText(spoken.Text);
        }

        return PushFrameAsync(frame, direction, cancellationToken);
    }
}
