using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.AI.DependencyInjection;
using Pipeline.AI.Llm;
using Pipeline.AI.Stt;
using Pipeline.AI.Tests.Fakes;
using Pipeline.AI.Tts;
using Pipeline.Core.Frames;

namespace Pipeline.AI.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task The_processors_resolve_over_the_registered_clients_and_one_per_pipeline()
    {
        var services = new ServiceCollection();
        services.AddScriptedChatClient();
        services.AddSingleton<ITextToSpeechClient>(new FakeTextToSpeechClient("fake-tts", 16_000, TimeSpan.FromMilliseconds(5)));
        services.AddSingleton<ISpeechToTextClient>(new FakeSpeechToTextClient("fake-stt", _ => Task.FromResult(new SpeechToTextResponse("hi"))));
        services.AddLLMProcessor(o => o.SystemPrompt = "Be brief.")
            .AddTextToSpeechProcessor(o => o.SampleRate = 24_000)
            .AddSpeechToTextProcessor(o => o.Language = "en-US");
        await using ServiceProvider provider = services.BuildServiceProvider();

        LLMProcessor llm = provider.GetRequiredService<LLMProcessor>();
        llm.ProviderName.Should().Be("scripted-offline");
        llm.Context.Messages.Should().ContainSingle().Which.Text.Should().Be("Be brief.");
        provider.GetRequiredService<LLMProcessor>().Should().NotBeSameAs(llm, "each pipeline gets its own processor");
        provider.GetRequiredService<TextToSpeechProcessor>().ProviderName.Should().Be("fake-tts");
        provider.GetRequiredService<SpeechToTextProcessor>().ProviderName.Should().Be("fake-stt");

        var speech = (FakeTextToSpeechClient)provider.GetRequiredService<ITextToSpeechClient>();
        await using var run = PipelineRun.Start(llm, provider.GetRequiredService<SentenceAggregator>(), provider.GetRequiredService<TextToSpeechProcessor>());
        await run.SendAsync(new TranscriptionFrame("hello", "user", DateTimeOffset.UnixEpoch));
        await run.WaitForAsync<TTSStoppedFrame>("the scripted reply is spoken");
        await run.EndAsync();
        speech.Texts.Should().HaveCountGreaterThan(1).And.Contain(t => t.Contains("offline", StringComparison.Ordinal));
        run.Frames.OfType<TTSAudioRawFrame>().Should().OnlyContain(f => f.SampleRate == 24_000);
    }

    [Fact]
    public void Invalid_options_fail_when_resolved_with_a_clear_message()
    {
        var services = new ServiceCollection();
        services.AddTextToSpeechProcessor(o => o.FrameDuration = TimeSpan.Zero);
        using ServiceProvider provider = services.BuildServiceProvider();

        Action resolve = () => _ = provider.GetRequiredService<IOptions<TextToSpeechProcessorOptions>>().Value;
        resolve.Should().Throw<OptionsValidationException>().WithMessage("*TextToSpeechProcessorOptions are invalid*");
        Action direct = () => _ = new TextToSpeechProcessor(new FakeTextToSpeechClient("x", 16_000, TimeSpan.FromMilliseconds(1)),
            new TextToSpeechProcessorOptions { FrameDuration = TimeSpan.Zero });
        direct.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*FrameDuration must be 5 ms to 1 s*");
    }
}
