using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Pipeline.AI.Llm;

/// <summary>
/// An honest stand-in for a language model in the offline demo: it answers the user's last message from a short
/// script (<see cref="ScriptedChatClientOptions"/>), says that it is offline, and streams its reply word by word like a
/// model would. It understands nothing; it exists so that the voice pipeline runs end to end without a network.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly ScriptedChatClientOptions _options;
    private readonly ChatClientMetadata _metadata;
    private long _responses;

    /// <summary>Creates a scripted client.</summary>
    /// <param name="options">The script; the default one when null.</param>
    public ScriptedChatClient(ScriptedChatClientOptions? options = null)
    {
        _options = options ?? new ScriptedChatClientOptions();
        _options.Validate();
        _metadata = new ChatClientMetadata(_options.ProviderName, providerUri: null, defaultModelId: "script");
    }

    /// <summary>Chooses the reply to the last user message in <paramref name="messages"/>.</summary>
    public string ReplyTo(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string said = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text.Trim() ?? string.Empty;
        foreach (ScriptedReply reply in _options.Replies)
        {
            if (reply.Keywords.Any(k => Regex.IsMatch(said, $@"\b{Regex.Escape(k)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))))
            {
                return reply.Reply;
            }
        }

        return string.Format(CultureInfo.InvariantCulture, _options.FallbackReply, said.TrimEnd('.', '!', '?'));
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (ChatResponseUpdate update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string reply = ReplyTo(messages);
        string responseId = $"scripted-{Interlocked.Increment(ref _responses)}";
        foreach (string piece in Regex.Split(reply, @"(?<=\s)", RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (piece.Length == 0)
            {
                continue;
            }

            // Yield between pieces so a consumer sees a stream, as from a model, not one synchronous burst.
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece)
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = "script",
            };
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Holds nothing.
    }
}
