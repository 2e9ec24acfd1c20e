using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.AI.DependencyInjection;
using Pipeline.AI.Llm;
using Pipeline.AI.Stt;
using Pipeline.AI.Tts;
using Pipeline.Core.Processors;

#pragma warning disable IDE0130 // The .NET convention: registration methods live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>
/// Registers the AI processors with dependency injection. Each processor comes from a singleton
/// <see cref="FrameProcessorFactory{TProcessor}"/> (one processor per pipeline, owned by the pipeline: never a container
/// transient, see there) over the container's client: register an <see cref="IChatClient"/>,
/// <see cref="ISpeechToTextClient"/> or <see cref="ITextToSpeechClient"/> with Microsoft.Extensions.AI's own helpers
/// (<c>AddChatClient</c>, ...) or, for the offline demo, <see cref="AddScriptedChatClient"/>. The options are validated
/// with the processors' own messages, also when the host starts. Loggers and the clock come from the pipeline the
/// processor runs in. Registering twice adds the options configuration, not a second factory.
/// </summary>
public static class AIProcessorServiceCollectionExtensions
{
    /// <summary>Registers <see cref="FrameProcessorFactory{TProcessor}"/> of <see cref="LLMProcessor"/> (over the
    /// container's <see cref="IChatClient"/>) and of <see cref="SentenceAggregator"/>, and the LLM's options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (system prompt, chat options and tools, timeout).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddLLMProcessor(this IServiceCollection services, Action<LLMProcessorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddValidatedOptions(services, configure, static o => o.Validate());
        services.TryAddSingleton(static sp => new FrameProcessorFactory<LLMProcessor>(() => new LLMProcessor(
            sp.GetRequiredService<IChatClient>(), sp.GetRequiredService<IOptions<LLMProcessorOptions>>().Value)));
        services.TryAddSingleton(new FrameProcessorFactory<SentenceAggregator>(static () => new SentenceAggregator()));
        return services;
    }

    /// <summary>Registers <see cref="FrameProcessorFactory{TProcessor}"/> of <see cref="TextToSpeechProcessor"/> (over the
    /// container's <see cref="ITextToSpeechClient"/>) and its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (output rate, voice, timeout).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddTextToSpeechProcessor(this IServiceCollection services, Action<TextToSpeechProcessorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddValidatedOptions(services, configure, static o => o.Validate());
        services.TryAddSingleton(static sp => new FrameProcessorFactory<TextToSpeechProcessor>(() => new TextToSpeechProcessor(
            sp.GetRequiredService<ITextToSpeechClient>(), sp.GetRequiredService<IOptions<TextToSpeechProcessorOptions>>().Value)));
        return services;
    }

    /// <summary>Registers <see cref="FrameProcessorFactory{TProcessor}"/> of <see cref="SpeechToTextProcessor"/> (over the
    /// container's <see cref="ISpeechToTextClient"/>) and its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (sample rate, language, pre-roll, timeout).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddSpeechToTextProcessor(this IServiceCollection services, Action<SpeechToTextProcessorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddValidatedOptions(services, configure, static o => o.Validate());
        services.TryAddSingleton(static sp => new FrameProcessorFactory<SpeechToTextProcessor>(() => new SpeechToTextProcessor(
            sp.GetRequiredService<ISpeechToTextClient>(), sp.GetRequiredService<IOptions<SpeechToTextProcessorOptions>>().Value)));
        return services;
    }

    /// <summary>
    /// Registers a <see cref="ScriptedChatClient"/> as the <see cref="IChatClient"/> (singleton) unless one is already
    /// registered: the offline demo's stand-in for a language model.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Edits the script.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddScriptedChatClient(this IServiceCollection services, Action<ScriptedChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new ScriptedChatClientOptions();
        configure?.Invoke(options);
        services.TryAddSingleton<IChatClient>(new ScriptedChatClient(options));
        return services;
    }

    private static void AddValidatedOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        IServiceCollection services, Action<TOptions>? configure, Action<TOptions> validate)
        where TOptions : class
    {
        services.AddOptions<TOptions>().Configure(configure ?? (static _ => { })).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new ProcessorOptionsValidator<TOptions>(validate)));
    }
}
