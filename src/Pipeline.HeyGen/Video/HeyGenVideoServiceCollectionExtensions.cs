using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pipeline.Core.Avatars;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Video;

#pragma warning disable IDE0130 // The .NET convention: registration methods live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the factory of <see cref="HeyGenVideoService"/>s with dependency injection.</summary>
/// <remarks>
/// A video service holds one billed session for one pipeline run, so it is created per pipeline by the singleton
/// <see cref="HeyGenVideoServiceFactory"/> (also the <see cref="IAvatarServiceFactory"/>), not resolved as a transient:
/// a container keeps every disposable transient it hands out alive until it is disposed itself, and cannot dispose an
/// asynchronously disposable one from a synchronous <c>Dispose()</c>. Registering again replaces the factory (the last
/// choice of API wins) and adds the options configuration; the options are validated when the host starts.
/// </remarks>
public static class HeyGenVideoServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HeyGenVideoServiceFactory"/> over the container's <see cref="IAvatarMediaConnector"/> and its
    /// one avatar API: the <see cref="LiveAvatarApi"/> registered with <c>AddLiveAvatarApi</c> (recommended) or the
    /// <see cref="HeyGenApi"/> registered with <c>AddHeyGenApi</c>. With both registered, pick one with
    /// <see cref="AddHeyGenVideoService{TApi}"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options every created service starts from.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddHeyGenVideoService(this IServiceCollection services, Action<HeyGenVideoServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddHeyGenVideoService(configure, static sp =>
        {
            AvatarApiRegistration[] registered = [.. sp.GetServices<AvatarApiRegistration>().DistinctBy(r => r.ApiType)];
            return registered.Length switch
            {
                0 => throw new InvalidOperationException(
                    "HeyGenVideoService needs an avatar API in the container: register it with AddLiveAvatarApi (recommended) or AddHeyGenApi."),
                1 => registered[0].Create,
                _ => throw new InvalidOperationException(
                    $"More than one avatar API is registered ({string.Join(", ", registered.Select(r => r.ApiType.Name))}): say which one " +
                    "HeyGenVideoService uses with AddHeyGenVideoService<LiveAvatarApi>() or AddHeyGenVideoService<HeyGenApi>()."),
            };
        });
    }

    /// <summary>
    /// Registers <see cref="HeyGenVideoServiceFactory"/> over the container's <see cref="IAvatarMediaConnector"/> and
    /// <typeparamref name="TApi"/>: <see cref="LiveAvatarApi"/> or <see cref="HeyGenApi"/> as registered with
    /// <c>AddLiveAvatarApi</c>/<c>AddHeyGenApi</c>, or a provider of your own registered as a <typeparamref name="TApi"/>
    /// (then resolved for each service: register it as a singleton).
    /// </summary>
    /// <typeparam name="TApi">The avatar API the services use.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options every created service starts from.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddHeyGenVideoService<TApi>(this IServiceCollection services, Action<HeyGenVideoServiceOptions>? configure = null)
        where TApi : BaseAvatarApi
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddHeyGenVideoService(configure, static sp =>
        {
            if (sp.GetServices<AvatarApiRegistration>().FirstOrDefault(r => r.ApiType == typeof(TApi)) is { } registration)
            {
                return registration.Create;
            }

            return sp.GetService<TApi>() is not null
                ? static provider => provider.GetRequiredService<TApi>()
                : throw new InvalidOperationException(
                    $"HeyGenVideoService needs a {typeof(TApi).Name} in the container: register it with AddHeyGenApi or AddLiveAvatarApi.");
        });
    }

    private static IServiceCollection AddHeyGenVideoService(
        this IServiceCollection services, Action<HeyGenVideoServiceOptions>? configure,
        Func<IServiceProvider, Func<IServiceProvider, BaseAvatarApi>> chooseApi)
    {
        services.AddOptions<HeyGenVideoServiceOptions>().Configure(configure ?? (static _ => { })).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HeyGenVideoServiceOptions>, HeyGenVideoServiceOptionsValidator>());
        services.Replace(ServiceDescriptor.Singleton(sp => new HeyGenVideoServiceFactory(sp, chooseApi(sp))));
        services.TryAddSingleton<IAvatarServiceFactory>(static sp => sp.GetRequiredService<HeyGenVideoServiceFactory>());
        return services;
    }
}
