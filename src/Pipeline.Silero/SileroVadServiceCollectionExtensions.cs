using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Core.Processors;
using Pipeline.Silero;

#pragma warning disable IDE0130 // The .NET convention: registration methods live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers Silero VAD with dependency injection.</summary>
public static class SileroVadServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="SileroVadModel"/> as a singleton (loaded when first resolved; the container disposes
    /// it) and a singleton <see cref="FrameProcessorFactory{TProcessor}"/> of <see cref="SileroVadProcessor"/> over it:
    /// <c>GetRequiredService&lt;FrameProcessorFactory&lt;SileroVadProcessor&gt;&gt;().Create()</c> for each pipeline (the
    /// pipeline disposes it; a container transient would be kept alive by the container). Registering twice keeps the
    /// first registration.
    /// </summary>
    /// <param name="services">The container.</param>
    /// <param name="options">Thresholds and durations for every processor; <see cref="VadOptions.Default"/> when null.</param>
    /// <param name="modelPath">The model file; by default found by <see cref="SileroModelLocator"/>.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddSileroVad(this IServiceCollection services, VadOptions? options = null, string? modelPath = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(_ => SileroVadModel.Load(modelPath));
        services.TryAddSingleton(sp => new FrameProcessorFactory<SileroVadProcessor>(
            () => new SileroVadProcessor(sp.GetRequiredService<SileroVadModel>(), options)));
        return services;
    }
}
