using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Pipeline.AI.Llm;
using Pipeline.AI.Tests.Fakes;
using Pipeline.AI.Tts;
using Pipeline.Core.Frames;

namespace Pipeline.AI.Tests;

public sealed class LLMProcessorTests
{
    private static readonly TimeSpan s_perCharacter = TimeSpan.FromMilliseconds(10);

    private static TranscriptionFrame Said(string text) => new(text, "user", DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task Streaming_text_reaches_TTS_sentence_by_sentence_and_speech_starts_at_the_first_sentence()
    {
        var gate = new TaskCompletionSource();
        var chat = new FakeChatClient("fake-llm", call => FakeAnswers.PiecesWithGate(
            ["Hel", "lo there", ". It is 3.", "14 o'clock"], gate.Task, [" now. Bye", "!"], call.Token));
        var speech = new FakeTextToSpeechClient("fake-tts", 16_000, s_perCharacter);
        await using var run = PipelineRun.Start(new LLMProcessor(chat), new SentenceAggregator(), new TextToSpeechProcessor(speech));

        await run.SendAsync(Said("What time is it?"));
        await run.WaitForAsync<TTSTextFrame>("the first sentence is spoken while the reply is still streaming");
        speech.Texts.Should().Equal(["Hello there."], "the decimal 3.14 split across tokens must not end a sentence");

        gate.SetResult();
        await run.WaitForAsync<TTSStoppedFrame>("the reply's utterance ends");
        await run.EndAsync();

        speech.Texts.Should().Equal("Hello there.", "It is 3.14 o'clock now.", "Bye!");
        IReadOnlyList<Frame> frames = run.Frames;
        frames.OfType<LLMFullResponseStartFrame>().Should().ContainSingle();
        frames.OfType<LLMFullResponseEndFrame>().Should().ContainSingle();
        frames.OfType<TTSTextFrame>().Select(f => f.Text).Should().Equal(speech.Texts);
        string contextId = frames.OfType<TTSStartedFrame>().Should().ContainSingle().Subject.ContextId!;
        frames.OfType<TTSAudioRawFrame>().Should().OnlyContain(f => f.ContextId == contextId);
        frames.OfType<TTSStoppedFrame>().Should().ContainSingle().Which.ContextId.Should().Be(contextId);
        run.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task An_interruption_cancels_the_call_and_the_context_records_only_what_was_spoken()
    {
        var never = new TaskCompletionSource();
        int calls = 0;
        var chat = new FakeChatClient("fake-llm", call => Interlocked.Increment(ref calls) == 1
            ? FakeAnswers.PiecesWithGate(["First sentence. ", "Second "], never.Task, ["sentence."], call.Token)
            : FakeChatClient.Pieces("Okay."));
        var llm = new LLMProcessor(chat, new LLMProcessorOptions { SystemPrompt = "Be brief." });
        var speech = new FakeTextToSpeechClient("fake-tts", 16_000, s_perCharacter);
        await using var run = PipelineRun.Start(llm, new SentenceAggregator(), new TextToSpeechProcessor(speech), llm.CreateAssistantAggregator());

        await run.SendAsync(Said("Tell me two things."));
        await run.WaitForAsync<TTSTextFrame>("the first sentence is spoken");
        FakeChatCall first = chat.Calls[0];
        first.Cancelled.Task.IsCompleted.Should().BeFalse();

        await run.SendAsync(new InterruptionFrame());
        await first.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await run.SendAsync(Said("Stop."));
        await run.WaitForAsync<TTSTextFrame>("the second reply is spoken", f => f.Text == "Okay.");
        await run.EndAsync();

        llm.Context.Messages.Select(m => (m.Role.Value, m.Text)).Should().Equal(
            ("system", "Be brief."),
            ("user", "Tell me two things."),
            ("assistant", "First sentence."),
            ("user", "Stop."),
            ("assistant", "Okay."));
        speech.Texts.Should().NotContain(t => t.Contains("Second", StringComparison.Ordinal));
        chat.Calls[1].Messages.Should().HaveCount(4, "the second request carries the cut-short reply, not the unspoken rest");
    }

    [Fact]
    public async Task An_interruption_releases_the_processor_even_when_the_client_ignores_its_token()
    {
        var stuck = new TaskCompletionSource();
        int calls = 0;
        var chat = new FakeChatClient("deaf-llm", call => Interlocked.Increment(ref calls) == 1
            ? IgnoringCancellation(stuck.Task)
            : FakeChatClient.Pieces("Still here."));
        var llm = new LLMProcessor(chat);
        await using var run = PipelineRun.Start(llm);

        await run.SendAsync(Said("Hello?"));
        await run.WaitForAsync<LLMTextFrame>("the stuck reply has begun");
        await run.SendAsync(new InterruptionFrame());
        await run.SendAsync(Said("Anyone?"));
        await run.WaitForAsync<LLMTextFrame>("the next turn is answered", f => f.Text == "Still here.");
        await run.EndAsync();
        stuck.SetResult();
    }

    [Fact]
    public async Task Tools_are_invoked_through_MEAI_function_invocation()
    {
        var asked = new List<string>();
        AIFunction weather = AIFunctionFactory.Create((string city) =>
        {
            asked.Add(city);
            return $"sunny, 21 degrees in {city}";
        }, "get_weather", "Gets the weather for a city.");
        var chat = new FakeChatClient("fake-llm", call =>
        {
            FunctionResultContent? result = call.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().FirstOrDefault();
            return result is null
                ? Updates(new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("call-1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]))
                : FakeChatClient.Pieces($"It is {result.Result}.");
        });
        var llm = new LLMProcessor(chat, new LLMProcessorOptions { ChatOptions = new ChatOptions { Tools = [weather] } });
        await using var run = PipelineRun.Start(llm, new SentenceAggregator());

        await run.SendAsync(Said("What is the weather in Paris?"));
        await run.WaitForAsync<LLMFullResponseEndFrame>("the reply ends");
        await run.EndAsync();

        asked.Should().Equal("Paris");
        chat.Calls.Should().HaveCount(2, "the function invoker called the model again with the tool result");
        chat.Calls[0].Options!.Tools.Should().ContainSingle().Which.Name.Should().Be("get_weather");
        run.Frames.OfType<TextFrame>().Where(f => f is not (LLMTextFrame or TranscriptionFrame)).Select(f => f.Text)
            .Should().Equal("It is sunny, 21 degrees in Paris.");
        List<AIContent> recorded = llm.Context.Messages.SelectMany(m => m.Contents).ToList();
        recorded.OfType<FunctionCallContent>().Should().ContainSingle().Which.CallId.Should().Be("call-1");
        recorded.OfType<FunctionResultContent>().Should().ContainSingle().Which.CallId.Should().Be("call-1");
    }

    [Fact]
    public async Task A_failing_client_becomes_an_ErrorFrame_naming_the_provider_and_the_call()
    {
        var chat = new FakeChatClient("fake-llm", _ => Failing(new HttpRequestException("503 Service Unavailable")));
        await using var run = PipelineRun.Start(new LLMProcessor(chat), new SentenceAggregator());

        await run.SendAsync(Said("Hi"));
        ErrorFrame error = await run.WaitForErrorAsync();
        await run.WaitForAsync<LLMFullResponseEndFrame>("the failed reply is closed");
        await run.EndAsync();

        error.Message.Should().Contain("LLM provider 'fake-llm'").And.Contain("GetStreamingResponseAsync").And.Contain("503");
        error.IsFatal.Should().BeFalse();
        error.Message.Should().NotContain("Hi", "prompt content stays out of error texts");
    }

    [Fact]
    public async Task Credentials_quoted_by_a_provider_and_the_prompt_stay_out_of_errors_and_logs_above_debug()
    {
        var chat = new FakeChatClient("fake-llm", _ => Failing(new HttpRequestException(
            "POST https://llm.example/v1/chat?key=AIzaSECRET123456&alt=sse failed: Incorrect API key provided: sk-proj-SECRET987654321, " +
            "Authorization: Bearer SECRETTOKEN42")));
        using var logs = new CapturedLogs();
        await using var run = PipelineRun.Start(null, null, logs.Factory, new LLMProcessor(chat, new LLMProcessorOptions { SystemPrompt = "PRIVATE-PROMPT" }));

        await run.SendAsync(Said("my PRIVATE-QUESTION"));
        ErrorFrame error = await run.WaitForErrorAsync();
        await run.EndAsync();

        error.Message.Should().Contain("LLM provider 'fake-llm'").And.Contain("key=***").And.Contain("Bearer ***");
        string[] secrets = ["SECRET", "PRIVATE-PROMPT", "PRIVATE-QUESTION"];
        foreach (string secret in secrets)
        {
            error.Message.Should().NotContain(secret);
            logs.AboveDebug.Should().NotContain(line => line.Contains(secret, StringComparison.Ordinal));
        }

        logs.Lines.Should().Contain(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Debug && l.Text.Contains("PRIVATE-QUESTION"),
            "the user turn is logged at debug level for diagnosis");
    }

    [Fact]
    public async Task A_slow_client_times_out_into_an_ErrorFrame_instead_of_hanging()
    {
        var chat = new FakeChatClient("slow-llm", call => FakeAnswers.PiecesWithGate([], Task.Delay(Timeout.Infinite, call.Token), [], call.Token));
        var llm = new LLMProcessor(chat, new LLMProcessorOptions { ResponseTimeout = TimeSpan.FromSeconds(5) });
        await using var run = PipelineRun.Start(llm);

        await run.SendAsync(Said("Hello"));
        FakeChatCall call = await chat.NextCall.WaitAsync(TimeSpan.FromSeconds(20));
        run.Clock.Advance(TimeSpan.FromSeconds(4.9));
        call.Cancelled.Task.IsCompleted.Should().BeFalse();
        run.Clock.Advance(TimeSpan.FromSeconds(0.1));

        ErrorFrame error = await run.WaitForErrorAsync();
        await run.EndAsync();
        error.Message.Should().Be("LLM provider 'slow-llm' call GetStreamingResponseAsync timed out: no progress for 5000 ms.");
        call.Cancelled.Task.IsCompleted.Should().BeTrue("the abandoned request's token is cancelled");
        run.Frames.OfType<LLMFullResponseEndFrame>().Should().ContainSingle();
    }

    [Fact]
    public async Task A_turn_waits_for_the_user_to_stop_speaking_and_sends_the_system_prompt_and_options()
    {
        var chat = new FakeChatClient("fake-llm", _ => FakeChatClient.Pieces("Sure."));
        var options = new LLMProcessorOptions
        {
            SystemPrompt = "You are a friendly avatar.",
            ChatOptions = new ChatOptions { ModelId = "model-x", Temperature = 0.2f },
        };
        await using var run = PipelineRun.Start(new LLMProcessor(chat, options));

        await run.SendAsync(new UserStartedSpeakingFrame(), Said("Can you"), Said("help me?"));
        await run.WaitForAsync<UserStartedSpeakingFrame>("the speaking frame has passed");
        chat.Calls.Should().BeEmpty("the user is still speaking");

        await run.SendAsync(new UserStoppedSpeakingFrame());
        await run.WaitForAsync<LLMFullResponseEndFrame>("the reply ends");
        await run.EndAsync();

        FakeChatCall call = chat.Calls.Should().ContainSingle().Subject;
        call.Messages.Select(m => (m.Role.Value, m.Text)).Should().Equal(("system", "You are a friendly avatar."), ("user", "Can you help me?"));
        call.Options!.ModelId.Should().Be("model-x");
        call.Options.Temperature.Should().Be(0.2f);
        // The transcriptions become the user's turn and are passed on (for a transport to caption), ahead of the reply.
        run.Frames.OfType<TranscriptionFrame>().Select(f => f.Text).Should().Equal("Can you", "help me?");
        run.Frames.ToList().FindLastIndex(f => f is TranscriptionFrame)
            .Should().BeLessThan(run.Frames.ToList().FindIndex(f => f is LLMFullResponseStartFrame));
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Updates(params ChatResponseUpdate[] updates)
    {
        foreach (ChatResponseUpdate update in updates)
        {
            await Task.Yield();
            yield return update;
        }
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Failing(Exception failure)
    {
        await Task.Yield();
        throw failure;
#pragma warning disable CS0162 // an iterator needs a yield
        yield break;
#pragma warning restore CS0162
    }

    // A provider that never looks at its token: only the processor's own guard can release the reader.
    private static async IAsyncEnumerable<ChatResponseUpdate> IgnoringCancellation(Task stuck, [EnumeratorCancellation] CancellationToken _ = default)
    {
        yield return new ChatResponseUpdate(ChatRole.Assistant, "Let me think");
        await stuck;
    }
}
