using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.HeyGen.Api;

#pragma warning disable IDE0130 // The .NET convention: registration methods live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the HeyGen and LiveAvatar REST clients with dependency injection.</summary>
/// <remarks>
/// <para>Each client is a typed <see cref="HttpClient"/> client (transient) on the named client
/// <see cref="HeyGenApi.HttpClientName"/> / <see cref="LiveAvatarApi.HttpClientName"/>: the returned
/// <see cref="IHttpClientBuilder"/> adds handlers (logging, resilience, proxies) to every request it makes, including the
/// ones of the video services <c>AddHeyGenVideoService</c> creates. Each registered client is also the container's
/// <see cref="BaseAvatarApi"/>, so <c>AddHeyGenVideoService()</c> needs no generic argument.</para>
/// <para>The options are validated with the client's own rules (the message names the setting to fix, never the key)
/// when a client is first built, and when the host starts (<c>ValidateOnStart</c>): a missing API key stops a
/// <c>Host</c> at start-up rather than at the first session. <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/>
/// are taken from the container when registered. Registering a product twice adds its options configuration, not a
/// second client.</para>
/// </remarks>
public static class AvatarApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HeyGenApi"/> (the Interactive Avatar API) and its <see cref="HeyGenApiOptions"/>. HeyGen
    /// recommends LiveAvatar (<see cref="AddLiveAvatarApi(IServiceCollection, Action{LiveAvatarApiOptions})"/>) for new work.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (at least the API key).</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers.</returns>
    public static IHttpClientBuilder AddHeyGenApi(this IServiceCollection services, Action<HeyGenApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<HeyGenApiOptions>().Configure(configure);
        return AddHeyGenApiCore(services);
    }

    /// <summary>
    /// Registers <see cref="HeyGenApi"/> with <see cref="HeyGenApiOptions"/> bound from configuration, e.g.
    /// <c>AddHeyGenApi(configuration.GetSection("HeyGen"))</c> over <c>{ "HeyGen": { "ApiKey": "...", "BaseUrl": "..." } }</c>
    /// (keys are the option names; <c>Retry:MaxRetryAttempts</c> for the nested retry settings).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers.</returns>
    public static IHttpClientBuilder AddHeyGenApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<HeyGenApiOptions>().Bind(configuration);
        return AddHeyGenApiCore(services);
    }

    /// <summary>
    /// Registers <see cref="LiveAvatarApi"/> (the recommended product) and its <see cref="LiveAvatarApiOptions"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (at least the API key).</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers.</returns>
    public static IHttpClientBuilder AddLiveAvatarApi(this IServiceCollection services, Action<LiveAvatarApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LiveAvatarApiOptions>().Configure(configure);
        return AddLiveAvatarApiCore(services);
    }

    /// <summary>
    /// Registers <see cref="LiveAvatarApi"/> with <see cref="LiveAvatarApiOptions"/> bound from configuration, e.g.
    /// <c>AddLiveAvatarApi(configuration.GetSection("LiveAvatar"))</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers.</returns>
    public static IHttpClientBuilder AddLiveAvatarApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LiveAvatarApiOptions>().Bind(configuration);
        return AddLiveAvatarApiCore(services);
    }

    private static IHttpClientBuilder AddHeyGenApiCore(IServiceCollection services) =>
        AddAvatarApi<HeyGenApi, HeyGenApiOptions>(services, HeyGenApi.HttpClientName,
            static (http, options, loggers, time) => new HeyGenApi(http, options, loggers, time));

    private static IHttpClientBuilder AddLiveAvatarApiCore(IServiceCollection services) =>
        AddAvatarApi<LiveAvatarApi, LiveAvatarApiOptions>(services, LiveAvatarApi.HttpClientName,
            static (http, options, loggers, time) => new LiveAvatarApi(http, options, loggers, time));

    private static IHttpClientBuilder AddAvatarApi<TApi, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        IServiceCollection services, string httpClientName, Func<HttpClient, TOptions, ILoggerFactory?, TimeProvider?, TApi> create)
        where TApi : BaseAvatarApi
        where TOptions : AvatarApiOptions
    {
        services.AddOptions<TOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, AvatarApiOptionsValidator<TOptions>>());
        if (services.Any(d => d.ServiceType == typeof(AvatarApiRegistration) && d.ImplementationInstance is AvatarApiRegistration { ApiType: var t } && t == typeof(TApi)))
        {
            // Registered before: the same named client's builder, so handlers added now apply too; no second client.
            return services.AddHttpClient(httpClientName);
        }

        Func<HttpClient, IServiceProvider, TApi> build = (http, sp) =>
            create(http, sp.GetRequiredService<IOptions<TOptions>>().Value, sp.GetService<ILoggerFactory>(), sp.GetService<TimeProvider>());

        IHttpClientBuilder builder = services.AddHttpClient<TApi, TApi>(httpClientName, build);
        services.AddSingleton(new AvatarApiRegistration(typeof(TApi),
            sp => build(sp.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName), sp)));
        services.AddTransient<BaseAvatarApi>(sp => sp.GetRequiredService<TApi>());
        return builder;
    }
}
