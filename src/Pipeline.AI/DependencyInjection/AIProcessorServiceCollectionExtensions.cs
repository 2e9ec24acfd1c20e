using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.AI.Llm;
using Pipeline.AI.Stt;
using Pipeline.AI.Tts;

namespace Pipeline.AI.DependencyInjection;

/// <summary>
/// Registers the AI processors with dependency injection. Each processor is transient (one per pipeline) and takes its
/// client from the container: register an <see cref="IChatClient"/>, <see cref="ISpeechToTextClient"/> or
/// <see cref="ITextToSpeechClient"/> with Microsoft.Extensions.AI's own helpers (<c>AddChatClient</c>, ...) or, for the
/// offline demo, <see cref="AddScriptedChatClient"/>. Loggers and the clock come from the pipeline the processor runs
/// in.
/// </summary>
public static class AIProcessorServiceCollectionExtensions
{
    /// <summary>Registers <see cref="LLMProcessor"/> (transient, over the container's <see cref="IChatClient"/>) and its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (system prompt, chat options and tools, timeout).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddLLMProcessor(this IServiceCollection services, Action<LLMProcessorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LLMProcessorOptions>().Configure(configure ?? (_ => { })).Validate(o => Validates(o.Validate), "LLMProcessorOptions are invalid.");
        services.TryAddTransient(sp => new LLMProcessor(
            sp.GetRequiredService<IChatClient>(), sp.GetRequiredService<IOptions<LLMProcessorOptions>>().Value));
        services.TryAddTransient<SentenceAggregator>(_ => new SentenceAggregator());
        return services;
    }

    /// <summary>Registers <see cref="TextToSpeechProcessor"/> (transient, over the container's <see cref="ITextToSpeechClient"/>) and its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (output rate, voice, timeout).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddTextToSpeechProcessor(this IServiceCollection services, Action<TextToSpeechProcessorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TextToSpeechProcessorOptions>().Configure(configure ?? (_ => { }))
            .Validate(o => Validates(o.Validate), "TextToSpeechProcessorOptions are invalid.");
        services.TryAddTransient(sp => new TextToSpeechProcessor(
            sp.GetRequiredService<ITextToSpeechClient>(), sp.GetRequiredService<IOptions<TextToSpeechProcessorOptions>>().Value));
        return services;
    }

    /// <summary>Registers <see cref="SpeechToTextProcessor"/> (transient, over the container's <see cref="ISpeechToTextClient"/>) and its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (sample rate, language, pre-roll, timeout).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddSpeechToTextProcessor(this IServiceCollection services, Action<SpeechToTextProcessorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SpeechToTextProcessorOptions>().Configure(configure ?? (_ => { }))
            .Validate(o => Validates(o.Validate), "SpeechToTextProcessorOptions are invalid.");
        services.TryAddTransient(sp => new SpeechToTextProcessor(
            sp.GetRequiredService<ISpeechToTextClient>(), sp.GetRequiredService<IOptions<SpeechToTextProcessorOptions>>().Value));
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

    private static bool Validates(Action validate)
    {
        // The processors' constructors throw the precise message; this makes IOptions fail early too.
        try
        {
            validate();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
