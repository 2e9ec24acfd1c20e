namespace Pipeline.AI.Llm;

/// <summary>The script of a <see cref="ScriptedChatClient"/>.</summary>
public sealed class ScriptedChatClientOptions
{
    /// <summary>
    /// Replies tried in order: the first whose keyword occurs as a word (or phrase) in the user's last message, ignoring
    /// case, answers. The defaults greet, say what the client is, and say goodbye.
    /// </summary>
    public IList<ScriptedReply> Replies { get; } =
    [
        new(["hello", "hi", "hey", "good morning", "good evening"],
            "Hello! I am an offline scripted assistant, so I answer from a short script. Ask me who I am, or say goodbye."),
        new(["who are you", "what are you", "your name", "who is this"],
            "I am a scripted responder running offline. No language model is connected; with an OpenAI key the real one answers instead."),
        new(["bye", "goodbye", "see you"],
            "Goodbye! Thanks for trying the offline demo."),
    ];

    /// <summary>
    /// The reply when no keyword matches; <c>{0}</c> is replaced by what the user said. It says that the bot is
    /// offline, so nobody mistakes the script for a model.
    /// </summary>
    public string FallbackReply { get; set; } =
        "I am running offline without a language model, so I cannot really answer that. I heard you say: {0}.";

    /// <summary>The provider name reported in <see cref="Microsoft.Extensions.AI.ChatClientMetadata"/>. Default <c>scripted-offline</c>.</summary>
    public string ProviderName { get; set; } = "scripted-offline";

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(FallbackReply, nameof(FallbackReply));
        ArgumentException.ThrowIfNullOrWhiteSpace(ProviderName, nameof(ProviderName));
        foreach (ScriptedReply reply in Replies)
        {
            if (reply.Keywords.Count == 0 || reply.Keywords.Any(string.IsNullOrWhiteSpace) || string.IsNullOrWhiteSpace(reply.Reply))
            {
                throw new ArgumentException("Every scripted reply needs at least one non-blank keyword and a non-blank reply.", nameof(Replies));
            }
        }
    }
}

/// <summary>One entry of a chat script.</summary>
/// <param name="Keywords">Words or phrases that select this reply (case-insensitive, whole words).</param>
/// <param name="Reply">What the assistant says.</param>
public sealed record ScriptedReply(IReadOnlyList<string> Keywords, string Reply);
