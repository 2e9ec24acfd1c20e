using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.LocalEngines;

/// <summary>Registers the local speech engines as Microsoft.Extensions.AI clients.</summary>
public static class LocalSpeechServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EspeakTextToSpeechClient"/> as the singleton <see cref="ITextToSpeechClient"/>. It is
    /// created (and espeak-ng checked) when first resolved: resolve it at start-up to fail early.
    /// </summary>
    public static IServiceCollection AddEspeakTextToSpeech(this IServiceCollection services, EspeakOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ITextToSpeechClient>(_ => new EspeakTextToSpeechClient(options));
        return services;
    }

    /// <summary>
    /// Registers <see cref="PocketsphinxSpeechToTextClient"/> as the singleton <see cref="ISpeechToTextClient"/>. It is
    /// created (and pocketsphinx and its model checked) when first resolved: resolve it at start-up to fail early.
    /// </summary>
    public static IServiceCollection AddPocketsphinxSpeechToText(this IServiceCollection services, PocketsphinxOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<ISpeechToTextClient>(_ => new PocketsphinxSpeechToTextClient(options));
        return services;
    }
}
