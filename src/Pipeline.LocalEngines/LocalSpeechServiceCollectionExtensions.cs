using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.LocalEngines;

#pragma warning disable IDE0130 // The .NET convention: registration methods live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the local speech engines as Microsoft.Extensions.AI clients.</summary>
public static class LocalSpeechServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EspeakTextToSpeechClient"/> as the singleton <see cref="ITextToSpeechClient"/> unless one is
    /// registered already. It is created (and espeak-ng checked) when first resolved: resolve it at start-up to fail early.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The engine's settings; the defaults when null.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddEspeakTextToSpeech(this IServiceCollection services, EspeakOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ITextToSpeechClient>(_ => new EspeakTextToSpeechClient(options));
        return services;
    }

    /// <summary>
    /// Registers <see cref="PocketsphinxSpeechToTextClient"/> as the singleton <see cref="ISpeechToTextClient"/> unless
    /// one is registered already. It is created (and pocketsphinx and its model checked) when first resolved: resolve it
    /// at start-up to fail early.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The engine's settings; the defaults when null.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddPocketsphinxSpeechToText(this IServiceCollection services, PocketsphinxOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ISpeechToTextClient>(_ => new PocketsphinxSpeechToTextClient(options));
        return services;
    }
}
