using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.BeyondPresence;
using Pipeline.LiveKit.AvatarWorkers;

#pragma warning disable IDE0130 // The .NET convention: registration methods live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers Beyond Presence's client and avatar-worker dispatcher with dependency injection.</summary>
/// <remarks>
/// <para><see cref="BeyondPresenceApi"/> is a typed <see cref="HttpClient"/> client (transient) on the named client
/// <see cref="BeyondPresenceApi.HttpClientName"/>; the returned <see cref="IHttpClientBuilder"/> adds handlers (logging,
/// proxies) to its requests. <see cref="BeyondPresenceDispatcher"/> is registered as itself and as an
/// <see cref="IAvatarWorkerDispatcher"/> (with several providers registered, resolve the concrete dispatcher).</para>
/// <para>The options are validated with the client's own rules (the message names the setting, never the key) when a
/// client is first built and when the host starts (<c>ValidateOnStart</c>): a missing <c>BEY_API_KEY</c> stops a host
/// at start-up, not at the first conversation. <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/> come from the
/// container when registered. Registering twice adds the options configuration, not a second client.</para>
/// </remarks>
public static class BeyondPresenceServiceCollectionExtensions
{
    /// <summary>Registers <see cref="BeyondPresenceApi"/>, <see cref="BeyondPresenceDispatcher"/> and their
    /// <see cref="BeyondPresenceOptions"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (at least <see cref="BeyondPresenceOptions.ApiKey"/>).</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers.</returns>
    public static IHttpClientBuilder AddBeyondPresence(this IServiceCollection services, Action<BeyondPresenceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<BeyondPresenceOptions>().Configure(configure);
        return AddBeyondPresenceCore(services);
    }

    /// <summary>Registers <see cref="BeyondPresenceApi"/> and <see cref="BeyondPresenceDispatcher"/> with
    /// <see cref="BeyondPresenceOptions"/> bound from configuration, e.g.
    /// <c>AddBeyondPresence(configuration.GetSection("BeyondPresence"))</c> over
    /// <c>{ "BeyondPresence": { "ApiKey": "...", "AvatarId": "...", "RequestTimeout": "00:00:10" } }</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options (keys are the option names).</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers.</returns>
    public static IHttpClientBuilder AddBeyondPresence(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BeyondPresenceOptions>().Bind(configuration);
        return AddBeyondPresenceCore(services);
    }

    private static IHttpClientBuilder AddBeyondPresenceCore(IServiceCollection services)
    {
        services.AddOptions<BeyondPresenceOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BeyondPresenceOptions>, BeyondPresenceOptionsValidator>());
        if (services.Any(d => d.ServiceType == typeof(BeyondPresenceDispatcher)))
        {
            // Registered before: the same named client's builder, so handlers added now apply too; no second client.
            return services.AddHttpClient(BeyondPresenceApi.HttpClientName);
        }

        IHttpClientBuilder builder = services.AddHttpClient<BeyondPresenceApi, BeyondPresenceApi>(BeyondPresenceApi.HttpClientName,
            static (http, sp) => new BeyondPresenceApi(http, sp.GetRequiredService<IOptions<BeyondPresenceOptions>>().Value,
                sp.GetService<ILoggerFactory>(), sp.GetService<TimeProvider>()));

        // BeyondPresenceOptions.RequestTimeout times each attempt; HttpClient's own 100 s default would cut a long one.
        builder.ConfigureHttpClient(static http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddTransient(static sp => new BeyondPresenceDispatcher(sp.GetRequiredService<BeyondPresenceApi>(),
            sp.GetRequiredService<IOptions<BeyondPresenceOptions>>().Value));
        services.AddTransient<IAvatarWorkerDispatcher>(static sp => sp.GetRequiredService<BeyondPresenceDispatcher>());
        return builder;
    }
}
