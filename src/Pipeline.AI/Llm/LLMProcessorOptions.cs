using Microsoft.Extensions.AI;

namespace Pipeline.AI.Llm;

/// <summary>Settings of an <see cref="LLMProcessor"/>.</summary>
public sealed class LLMProcessorOptions
{
    /// <summary>Instructions sent first with every request (the system prompt); null for none.</summary>
    public string? SystemPrompt { get; set; }

    /// <summary>
    /// Options for every request: model id, temperature, maximum output tokens, and the <see cref="ChatOptions.Tools"/>
    /// the model may call. Cloned per request, so a client that edits them cannot change the next request.
    /// </summary>
    public ChatOptions? ChatOptions { get; set; }

    /// <summary>
    /// Whether tool calls are carried out by Microsoft.Extensions.AI's <see cref="FunctionInvokingChatClient"/>
    /// (<c>UseFunctionInvocation</c>), added around the client unless it already has one. Default true.
    /// </summary>
    public bool InvokeFunctions { get; set; } = true;

    /// <summary>
    /// How long the chat client may go without producing anything (the first update, or the next) before the call is
    /// abandoned and reported as an <see cref="Pipeline.Core.Frames.ErrorFrame"/>. Default 30 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables it.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (ResponseTimeout <= TimeSpan.Zero && ResponseTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                nameof(ResponseTimeout), ResponseTimeout, "ResponseTimeout must be positive, or Timeout.InfiniteTimeSpan to wait forever.");
        }
    }
}
