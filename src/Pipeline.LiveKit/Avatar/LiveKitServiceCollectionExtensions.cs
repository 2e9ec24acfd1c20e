using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Media;

namespace Pipeline.LiveKit;

/// <summary>Registers the LiveKit media path in a service collection.</summary>
public static class LiveKitServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LiveKitAvatarMediaConnector"/> as the <see cref="IAvatarMediaConnector"/> (unless one is
    /// registered already), so a HeyGen video service resolved from the container receives real avatar media.
    /// </summary>
    public static IServiceCollection AddLiveKitAvatarMedia(this IServiceCollection services, LiveKitAvatarMediaConnectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IAvatarMediaConnector>(sp => new LiveKitAvatarMediaConnector(sp.GetService<ILoggerFactory>(), options));
        return services;
    }
}
