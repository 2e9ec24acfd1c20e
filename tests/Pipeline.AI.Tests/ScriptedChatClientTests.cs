using Microsoft.Extensions.AI;
using Pipeline.AI.Llm;

namespace Pipeline.AI.Tests;

public sealed class ScriptedChatClientTests
{
    [Theory]
    [InlineData("Hello!", "Hello! I am an offline scripted assistant")]
    [InlineData("So who are you?", "I am a scripted responder running offline.")]
    [InlineData("OK, goodbye.", "Goodbye!")]
    public async Task It_answers_from_its_script(string said, string replyStart)
    {
        using var client = new ScriptedChatClient();
        ChatResponse response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, said)]);
        response.Text.Should().StartWith(replyStart);
    }

    [Fact]
    public async Task Unscripted_input_gets_a_reply_that_says_it_is_offline_and_streams_in_pieces()
    {
        using var client = new ScriptedChatClient();
        var pieces = new List<string>();
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "What is the capital of France?")]))
        {
            pieces.Add(update.Text);
        }

        string reply = string.Concat(pieces);
        reply.Should().Contain("offline").And.Contain("What is the capital of France");
        pieces.Should().HaveCountGreaterThan(5, "the reply streams word by word");
        client.GetService<ChatClientMetadata>()!.ProviderName.Should().Be("scripted-offline");
    }

    [Fact]
    public void A_hello_inside_another_word_does_not_match()
    {
        using var client = new ScriptedChatClient();
        client.ReplyTo([new ChatMessage(ChatRole.User, "This is a shipment")]).Should().Contain("offline without a language model");
    }
}
