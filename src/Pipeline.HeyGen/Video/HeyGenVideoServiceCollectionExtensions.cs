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
    /// <see cref="IAvatarMediaConnector"/> and its one <see cref="BaseAvatarApi"/>: the <see cref="LiveAvatarApi"/>
    /// registered with <c>AddLiveAvatarApi</c> (recommended) or the <see cref="HeyGenApi"/> registered with
    /// <c>AddHeyGenApi</c>. With both registered, pick one with <see cref="AddHeyGenVideoService{TApi}"/>.
    /// </summary>
    public static IServiceCollection AddHeyGenVideoService(this IServiceCollection services, Action<HeyGenVideoServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddHeyGenVideoService(configure, static sp =>
        {
            Type[] registered = [.. sp.GetServices<AvatarApiRegistration>().Select(r => r.ApiType).Distinct()];
            return registered.Length switch
            {
                0 => throw new InvalidOperationException(
                    "HeyGenVideoService needs an avatar API in the container: register it with AddLiveAvatarApi (recommended) or AddHeyGenApi."),
                1 => sp.GetRequiredService<BaseAvatarApi>(),
                _ => throw new InvalidOperationException(
                    $"More than one avatar API is registered ({string.Join(", ", registered.Select(t => t.Name))}): say which one " +
                    "HeyGenVideoService uses with AddHeyGenVideoService<LiveAvatarApi>() or AddHeyGenVideoService<HeyGenApi>()."),
            };
        });
    }

    /// <summary>
    /// Registers <see cref="HeyGenVideoService"/> as a transient, built from the container's
    /// <see cref="IAvatarMediaConnector"/> and <typeparamref name="TApi"/> (e.g. <see cref="LiveAvatarApi"/> with
    /// <c>AddLiveAvatarApi</c>).
    /// </summary>
    public static IServiceCollection AddHeyGenVideoService<TApi>(this IServiceCollection services, Action<HeyGenVideoServiceOptions>? configure = null)
        where TApi : BaseAvatarApi
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddHeyGenVideoService(configure, static sp => sp.GetService<TApi>() ?? throw new InvalidOperationException(
            $"HeyGenVideoService needs a {typeof(TApi).Name} in the container: register it with AddHeyGenApi or AddLiveAvatarApi."));
    }

    private static IServiceCollection AddHeyGenVideoService(
        this IServiceCollection services, Action<HeyGenVideoServiceOptions>? configure, Func<IServiceProvider, BaseAvatarApi> resolveApi)
    {
        services.AddOptions<HeyGenVideoServiceOptions>().Configure(configure ?? (static _ => { }));
        services.AddTransient(sp =>
        {
            HeyGenVideoServiceOptions options = sp.GetRequiredService<IOptions<HeyGenVideoServiceOptions>>().Value.Clone();
            if (options.MediaMode == AvatarMediaMode.DirectRoom)
            {
                return new HeyGenVideoService(resolveApi(sp), options); // joins no room: no connector needed
            }

            IAvatarMediaConnector connector = sp.GetService<IAvatarMediaConnector>() ?? throw new InvalidOperationException(
                "HeyGenVideoService needs an IAvatarMediaConnector in the container: register LiveKitAvatarMediaConnector " +
                "(AddLiveKitAvatarMedia, Pipeline.LiveKit) for real rooms, or the HeyGen emulator's MediaConnector offline " +
                "(or set MediaMode = AvatarMediaMode.DirectRoom: the avatar then publishes into the user's room and no connector is used).");
            return new HeyGenVideoService(resolveApi(sp), connector, options);
        });
        return services;
    }
}
