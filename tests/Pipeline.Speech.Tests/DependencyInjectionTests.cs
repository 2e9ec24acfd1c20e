using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Core.Processors;
using Pipeline.Silero;

namespace Pipeline.Speech.Tests;

/// <summary>AddSileroVad and the local engines: one registration however often they are called, a new VAD per
/// pipeline over one shared model, and a container that can still be disposed synchronously.</summary>
public sealed class DependencyInjectionTests
{
    [Fact]
    public void Registering_twice_adds_each_service_once()
    {
        var services = new ServiceCollection();
        services.AddSileroVad().AddSileroVad();
        services.AddEspeakTextToSpeech().AddEspeakTextToSpeech();
        services.AddPocketsphinxSpeechToText().AddPocketsphinxSpeechToText();

        services.Count(d => d.ServiceType == typeof(SileroVadModel)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(FrameProcessorFactory<SileroVadProcessor>)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(ITextToSpeechClient)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(ISpeechToTextClient)).Should().Be(1);
    }

    [Fact]
    public async Task Each_pipeline_gets_its_own_VAD_and_a_synchronous_Dispose_of_the_provider_does_not_throw()
    {
        ServiceProvider provider = new ServiceCollection().AddSileroVad().BuildServiceProvider();
        FrameProcessorFactory<SileroVadProcessor> factory = provider.GetRequiredService<FrameProcessorFactory<SileroVadProcessor>>();

        SileroVadProcessor first = factory.Create();
        SileroVadProcessor second = factory.Create();

        first.Should().NotBeSameAs(second);
        FluentActions.Invoking(provider.Dispose).Should().NotThrow("the container tracks the model (disposable) and no processor");
        await first.DisposeAsync();
        await second.DisposeAsync();
    }
}
