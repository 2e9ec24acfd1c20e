using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;

namespace Pipeline.HeyGen.Video;

/// <summary>Registers <see cref="HeyGenVideoService"/> with dependency injection.</summary>
public static class HeyGenVideoServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HeyGenVideoService"/> as a transient (one per pipeline). Settings left unset are taken from
    /// the container: the media connector from a registered <see cref="IAvatarMediaConnector"/>, and, when neither
    /// <see cref="HeyGenVideoServiceOptions.Api"/> nor <see cref="HeyGenVideoServiceOptions.ApiKey"/> is set, the
    /// <see cref="HeyGenApi"/> registered with <c>AddHeyGenApi</c>.
    /// </summary>
    public static IServiceCollection AddHeyGenVideoService(this IServiceCollection services, Action<HeyGenVideoServiceOptions> configure) =>
        services.AddHeyGenVideoService<HeyGenApi>(configure);

    /// <summary>
    /// Registers <see cref="HeyGenVideoService"/> as a transient, using the <typeparamref name="TApi"/> registered in
    /// the container (e.g. <see cref="LiveAvatarApi"/> with <c>AddLiveAvatarApi</c>) unless the options name an API.
    /// </summary>
    public static IServiceCollection AddHeyGenVideoService<TApi>(this IServiceCollection services, Action<HeyGenVideoServiceOptions> configure)
        where TApi : BaseAvatarApi
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<HeyGenVideoServiceOptions>().Configure(configure);
        services.AddTransient(sp =>
        {
            HeyGenVideoServiceOptions options = sp.GetRequiredService<IOptions<HeyGenVideoServiceOptions>>().Value.Clone();
            options.MediaConnector ??= sp.GetService<IAvatarMediaConnector>();
            if (options.Api is null && string.IsNullOrWhiteSpace(options.ApiKey))
            {
                options.Api = sp.GetService<TApi>();
            }

            return new HeyGenVideoService(options, sp.GetService<ILoggerFactory>());
        });
        return services;
    }
}
