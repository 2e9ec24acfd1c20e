using Microsoft.Extensions.AI;

namespace Pipeline.AI.Llm;

/// <summary>
/// Gathers the tool calls and results of one streamed response (as yielded by <see cref="FunctionInvokingChatClient"/>)
/// into chat messages for the context, keeping only calls whose result arrived: a call cut off by an interruption
/// without its result would make the next request invalid for most providers.
/// </summary>
internal sealed class ToolMessageCollector
{
    private List<ChatMessage>? _messages;

    public void Add(ChatResponseUpdate update)
    {
        foreach (AIContent content in update.Contents)
        {
            if (content is not (FunctionCallContent or FunctionResultContent))
            {
                continue;
            }

            ChatRole role = content is FunctionResultContent ? ChatRole.Tool : (update.Role ?? ChatRole.Assistant);
            _messages ??= [];
            if (_messages.Count > 0 && _messages[^1].Role == role)
            {
                _messages[^1].Contents.Add(content);
            }
            else
            {
                _messages.Add(new ChatMessage(role, [content]));
            }
        }
    }

    /// <summary>The tool messages whose calls all have results (others are dropped).</summary>
    public IReadOnlyList<ChatMessage> CompletedMessages()
    {
        if (_messages is null)
        {
            return [];
        }

        HashSet<string> answered = _messages
            .SelectMany(m => m.Contents.OfType<FunctionResultContent>())
            .Select(r => r.CallId)
            .ToHashSet(StringComparer.Ordinal);
        var result = new List<ChatMessage>(_messages.Count);
        foreach (ChatMessage message in _messages)
        {
            List<AIContent> kept = message.Contents
                .Where(c => c is not FunctionCallContent call || answered.Contains(call.CallId))
                .ToList();
            if (kept.Count > 0)
            {
                result.Add(new ChatMessage(message.Role, kept));
            }
        }

        return result;
    }
}
