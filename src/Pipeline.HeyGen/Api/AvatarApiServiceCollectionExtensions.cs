using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.HeyGen.Api;

/// <summary>Registers the HeyGen and LiveAvatar REST clients with dependency injection.</summary>
public static class AvatarApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HeyGenApi"/> (the Interactive Avatar API; transient, on the named <see cref="HttpClient"/>
    /// <see cref="HeyGenApi.HttpClientName"/> from IHttpClientFactory) and its <see cref="HeyGenApiOptions"/>; it is
    /// also the container's <see cref="BaseAvatarApi"/>. HeyGen recommends LiveAvatar (<see cref="AddLiveAvatarApi"/>)
    /// for new work.
    /// <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/> are taken from the container when registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (at least the API key).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddHeyGenApi(this IServiceCollection services, Action<HeyGenApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<HeyGenApiOptions>().Configure(configure).Validate(Validates, "HeyGenApiOptions are invalid.");
        services.AddHttpClient(HeyGenApi.HttpClientName);
        services.TryAddTransient(sp => new HeyGenApi(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HeyGenApi.HttpClientName),
            sp.GetRequiredService<IOptions<HeyGenApiOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        AddBaseApi<HeyGenApi>(services);
        return services;
    }

    /// <summary>
    /// Registers <see cref="LiveAvatarApi"/> (transient, on the named <see cref="HttpClient"/>
    /// <see cref="LiveAvatarApi.HttpClientName"/>) and its <see cref="LiveAvatarApiOptions"/>; it is also the
    /// container's <see cref="BaseAvatarApi"/>, which <c>AddHeyGenVideoService()</c> uses. The recommended product.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (at least the API key).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddLiveAvatarApi(this IServiceCollection services, Action<LiveAvatarApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LiveAvatarApiOptions>().Configure(configure).Validate(Validates, "LiveAvatarApiOptions are invalid.");
        services.AddHttpClient(LiveAvatarApi.HttpClientName);
        services.TryAddTransient(sp => new LiveAvatarApi(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(LiveAvatarApi.HttpClientName),
            sp.GetRequiredService<IOptions<LiveAvatarApiOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        AddBaseApi<LiveAvatarApi>(services);
        return services;
    }

    // Each registered provider is also a BaseAvatarApi, so consumers (AddHeyGenVideoService()) need no generic
    // argument; the registration record lets them tell one provider from two without building either.
    private static void AddBaseApi<TApi>(IServiceCollection services)
        where TApi : BaseAvatarApi
    {
        if (services.Any(d => d.ServiceType == typeof(AvatarApiRegistration) && d.ImplementationInstance is AvatarApiRegistration { ApiType: var t } && t == typeof(TApi)))
        {
            return;
        }

        services.AddSingleton(new AvatarApiRegistration(typeof(TApi)));
        services.AddTransient<BaseAvatarApi>(sp => sp.GetRequiredService<TApi>());
    }

    private static bool Validates(AvatarApiOptions options)
    {
        // The clients' constructors throw the precise message; this makes IOptions fail early too.
        try
        {
            options.Validate();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
