using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;

namespace Pipeline.HeyGen.Video;

/// <summary>Registers <see cref="HeyGenVideoService"/> with dependency injection.</summary>
public static class HeyGenVideoServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HeyGenVideoService"/> as a transient (one per pipeline), built from the container's
    /// <see cref="IAvatarMediaConnector"/> and the <see cref="HeyGenApi"/> registered with <c>AddHeyGenApi</c>.
    /// </summary>
    public static IServiceCollection AddHeyGenVideoService(this IServiceCollection services, Action<HeyGenVideoServiceOptions>? configure = null) =>
        services.AddHeyGenVideoService<HeyGenApi>(configure);

    /// <summary>
    /// Registers <see cref="HeyGenVideoService"/> as a transient, built from the container's
    /// <see cref="IAvatarMediaConnector"/> and <typeparamref name="TApi"/> (e.g. <see cref="LiveAvatarApi"/> with
    /// <c>AddLiveAvatarApi</c>).
    /// </summary>
    public static IServiceCollection AddHeyGenVideoService<TApi>(this IServiceCollection services, Action<HeyGenVideoServiceOptions>? configure = null)
        where TApi : BaseAvatarApi
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<HeyGenVideoServiceOptions>().Configure(configure ?? (static _ => { }));
        services.AddTransient(sp =>
        {
            IAvatarMediaConnector connector = sp.GetService<IAvatarMediaConnector>() ?? throw new InvalidOperationException(
                "HeyGenVideoService needs an IAvatarMediaConnector in the container: register LiveKitAvatarMediaConnector " +
                "(AddLiveKitAvatarMedia, Pipeline.LiveKit) for real rooms, or the HeyGen emulator's MediaConnector offline.");
            TApi api = sp.GetService<TApi>() ?? throw new InvalidOperationException(
                $"HeyGenVideoService needs a {typeof(TApi).Name} in the container: register it with AddHeyGenApi or AddLiveAvatarApi.");
            return new HeyGenVideoService(api, connector, sp.GetRequiredService<IOptions<HeyGenVideoServiceOptions>>().Value.Clone());
        });
        return services;
    }
}
