using Microsoft.Extensions.AI;

namespace Pipeline.AI.Llm;

/// <summary>
/// The conversation an <see cref="LLMProcessor"/> sends to its chat client: the system prompt, the user's turns (from
/// final transcriptions), tool calls and results, and the bot's turns as actually spoken (recorded by an
/// <see cref="AssistantContextAggregator"/>). Thread-safe: the LLM processor and the aggregator sit at different
/// places in the pipeline.
/// </summary>
public sealed class ChatContext
{
    private readonly Lock _lock = new();
    private readonly List<ChatMessage> _messages = [];

    /// <summary>Creates a context, optionally starting with a system prompt.</summary>
    /// <param name="systemPrompt">Instructions sent first with every request; null or blank for none.</param>
    public ChatContext(string? systemPrompt = null)
    {
        if (!string.IsNullOrWhiteSpace(systemPrompt))
        {
            _messages.Add(new ChatMessage(ChatRole.System, systemPrompt));
        }
    }

    /// <summary>A copy of the messages, oldest first.</summary>
    public IReadOnlyList<ChatMessage> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Starts the conversation over: removes every message except the system prompt.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _messages.RemoveAll(m => m.Role != ChatRole.System);
        }
    }

    /// <summary>Adds a user turn.</summary>
    public void AddUserMessage(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        lock (_lock)
        {
            _messages.Add(new ChatMessage(ChatRole.User, text));
        }
    }

    /// <summary>
    /// Appends text the bot has spoken to the bot's current turn: to the last message when it is the bot's own
    /// text, otherwise as a new assistant message (so sentences spoken one by one form one turn).
    /// </summary>
    public void AppendSpokenAssistantText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_messages.Count > 0 && _messages[^1] is { Role: var role } last && role == ChatRole.Assistant
                && last.Contents.All(c => c is TextContent))
            {
                string joined = last.Text.Length == 0 ? text : string.Concat(last.Text, " ", text);
                _messages[^1] = new ChatMessage(ChatRole.Assistant, joined);
            }
            else
            {
                _messages.Add(new ChatMessage(ChatRole.Assistant, text));
            }
        }
    }

    /// <summary>
    /// Adds messages that are not speech (tool calls and their results) exactly as the chat client produced them,
    /// so the next request shows the model what its tools returned.
    /// </summary>
    public void AddToolMessages(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        lock (_lock)
        {
            _messages.AddRange(messages);
        }
    }
}
