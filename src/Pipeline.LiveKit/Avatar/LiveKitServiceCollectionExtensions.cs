using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Media;
using Pipeline.LiveKit;

#pragma warning disable IDE0130 // The .NET convention: registration methods live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the LiveKit media path in a service collection.</summary>
public static class LiveKitServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LiveKitAvatarMediaConnector"/> as the <see cref="IAvatarMediaConnector"/> (unless one is
    /// registered already), so the video services <c>HeyGenVideoServiceFactory</c> creates receive real avatar media.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The connector's settings; the defaults when null.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddLiveKitAvatarMedia(this IServiceCollection services, LiveKitAvatarMediaConnectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IAvatarMediaConnector>(sp => new LiveKitAvatarMediaConnector(sp.GetService<ILoggerFactory>(), options));
        return services;
    }
}
