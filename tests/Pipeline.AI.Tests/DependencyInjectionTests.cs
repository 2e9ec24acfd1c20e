using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.AI.Llm;
using Pipeline.AI.Stt;
using Pipeline.AI.Tests.Fakes;
using Pipeline.AI.Tts;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

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

        LLMProcessor llm = provider.GetRequiredService<FrameProcessorFactory<LLMProcessor>>().Create();
        llm.ProviderName.Should().Be("scripted-offline");
        llm.Context.Messages.Should().ContainSingle().Which.Text.Should().Be("Be brief.");
        await using (LLMProcessor another = provider.GetRequiredService<FrameProcessorFactory<LLMProcessor>>().Create())
        {
            another.Should().NotBeSameAs(llm, "each pipeline gets its own processor");
        }

        TextToSpeechProcessor tts = provider.GetRequiredService<FrameProcessorFactory<TextToSpeechProcessor>>().Create();
        tts.ProviderName.Should().Be("fake-tts");
        await using (SpeechToTextProcessor stt = provider.GetRequiredService<FrameProcessorFactory<SpeechToTextProcessor>>().Create())
        {
            stt.ProviderName.Should().Be("fake-stt");
        }

        var speech = (FakeTextToSpeechClient)provider.GetRequiredService<ITextToSpeechClient>();
        await using var run = PipelineRun.Start(llm, provider.GetRequiredService<FrameProcessorFactory<SentenceAggregator>>().Create(), tts);
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
        resolve.Should().Throw<OptionsValidationException>().WithMessage("*FrameDuration must be 5 ms to 1 s*",
            "the options system reports the processor's own message, not a generic one");
        Action direct = () => _ = new TextToSpeechProcessor(new FakeTextToSpeechClient("x", 16_000, TimeSpan.FromMilliseconds(1)),
            new TextToSpeechProcessorOptions { FrameDuration = TimeSpan.Zero });
        direct.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*FrameDuration must be 5 ms to 1 s*");
    }

    [Fact]
    public void Registering_twice_adds_one_factory_and_one_validator()
    {
        var services = new ServiceCollection();
        services.AddLLMProcessor().AddLLMProcessor(o => o.SystemPrompt = "second");
        services.AddTextToSpeechProcessor().AddTextToSpeechProcessor();

        services.Count(d => d.ServiceType == typeof(FrameProcessorFactory<LLMProcessor>)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(FrameProcessorFactory<SentenceAggregator>)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(FrameProcessorFactory<TextToSpeechProcessor>)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<LLMProcessorOptions>)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<TextToSpeechProcessorOptions>)).Should().Be(1);
    }

    [Fact]
    public async Task A_synchronous_Dispose_of_the_provider_does_not_throw_after_processors_were_created()
    {
        var services = new ServiceCollection();
        services.AddScriptedChatClient();
        services.AddSingleton<ITextToSpeechClient>(new FakeTextToSpeechClient("fake-tts", 16_000, TimeSpan.FromMilliseconds(5)));
        services.AddLLMProcessor().AddTextToSpeechProcessor();
        ServiceProvider provider = services.BuildServiceProvider();
        LLMProcessor llm = provider.GetRequiredService<FrameProcessorFactory<LLMProcessor>>().Create();
        TextToSpeechProcessor tts = provider.GetRequiredService<FrameProcessorFactory<TextToSpeechProcessor>>().Create();
        SentenceAggregator sentences = provider.GetRequiredService<FrameProcessorFactory<SentenceAggregator>>().Create();

        FluentActions.Invoking(provider.Dispose).Should().NotThrow("the container tracks no asynchronously disposable processor");
        await llm.DisposeAsync();
        await tts.DisposeAsync();
        await sentences.DisposeAsync();
    }
}
