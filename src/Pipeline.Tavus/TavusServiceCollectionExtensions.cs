using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Tavus;
using Pipeline.LiveKit.AvatarWorkers;

#pragma warning disable IDE0130 // The .NET convention: registration methods live in the namespace of IServiceCollection.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers Tavus's client and avatar-worker dispatcher with dependency injection.</summary>
/// <remarks>
/// <para><see cref="TavusApi"/> is a typed <see cref="HttpClient"/> client (transient) on the named client
/// <see cref="TavusApi.HttpClientName"/>; the returned <see cref="IHttpClientBuilder"/> adds handlers (logging,
/// proxies) to its requests. <see cref="TavusDispatcher"/> is registered as itself and as an
/// <see cref="IAvatarWorkerDispatcher"/> (with several providers registered, resolve the concrete dispatcher).</para>
/// <para>The options are validated with the client's own rules (the message names the setting, never the key) when a
/// client is first built and when the host starts (<c>ValidateOnStart</c>): a missing <c>TAVUS_API_KEY</c> stops a host
/// at start-up, not at the first conversation. <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/> come from the
/// container when registered. Registering twice adds the options configuration, not a second client.</para>
/// </remarks>
public static class TavusServiceCollectionExtensions
{
    /// <summary>Registers <see cref="TavusApi"/>, <see cref="TavusDispatcher"/> and their
    /// <see cref="TavusOptions"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options (at least <see cref="TavusOptions.ApiKey"/> and <see cref="TavusOptions.PersonaId"/>).</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers.</returns>
    public static IHttpClientBuilder AddTavus(this IServiceCollection services, Action<TavusOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<TavusOptions>().Configure(configure);
        return AddTavusCore(services);
    }

    /// <summary>Registers <see cref="TavusApi"/> and <see cref="TavusDispatcher"/> with
    /// <see cref="TavusOptions"/> bound from configuration, e.g.
    /// <c>AddTavus(configuration.GetSection("Tavus"))</c> over
    /// <c>{ "Tavus": { "ApiKey": "...", "PersonaId": "...", "ReplicaId": "..." } }</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options (keys are the option names).</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers.</returns>
    public static IHttpClientBuilder AddTavus(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TavusOptions>().Bind(configuration);
        return AddTavusCore(services);
    }

    private static IHttpClientBuilder AddTavusCore(IServiceCollection services)
    {
        services.AddOptions<TavusOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TavusOptions>, TavusOptionsValidator>());
        if (services.Any(d => d.ServiceType == typeof(TavusDispatcher)))
        {
            // Registered before: the same named client's builder, so handlers added now apply too; no second client.
            return services.AddHttpClient(TavusApi.HttpClientName);
        }

        IHttpClientBuilder builder = services.AddHttpClient<TavusApi, TavusApi>(TavusApi.HttpClientName,
            static (http, sp) => new TavusApi(http, sp.GetRequiredService<IOptions<TavusOptions>>().Value,
                sp.GetService<ILoggerFactory>(), sp.GetService<TimeProvider>()));

        // TavusOptions.RequestTimeout times each attempt; HttpClient's own 100 s default would cut a long one.
        builder.ConfigureHttpClient(static http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddTransient(static sp => new TavusDispatcher(sp.GetRequiredService<TavusApi>(),
            sp.GetRequiredService<IOptions<TavusOptions>>().Value));
        services.AddTransient<IAvatarWorkerDispatcher>(static sp => sp.GetRequiredService<TavusDispatcher>());
        return builder;
    }
}
