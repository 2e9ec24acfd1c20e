using Microsoft.Extensions.DependencyInjection;

namespace Pipeline.Silero;

/// <summary>Registers Silero VAD with dependency injection.</summary>
public static class SileroVadServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="SileroVadModel"/> as a singleton (loaded when first resolved; the container disposes
    /// it) and <see cref="SileroVadProcessor"/> as a transient (one per pipeline) over it.
    /// </summary>
    /// <param name="services">The container.</param>
    /// <param name="options">Thresholds and durations for every processor; <see cref="VadOptions.Default"/> when null.</param>
    /// <param name="modelPath">The model file; by default found by <see cref="SileroModelLocator"/>.</param>
    public static IServiceCollection AddSileroVad(this IServiceCollection services, VadOptions? options = null, string? modelPath = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ => SileroVadModel.Load(modelPath));
        services.AddTransient(sp => new SileroVadProcessor(sp.GetRequiredService<SileroVadModel>(), options));
        return services;
    }
}
