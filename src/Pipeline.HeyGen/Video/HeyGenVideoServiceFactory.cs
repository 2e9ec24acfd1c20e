using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Core.Avatars;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;

namespace Pipeline.HeyGen.Video;

/// <summary>
/// Creates <see cref="HeyGenVideoService"/>s, one per pipeline, from the container's avatar API, media connector and
/// <see cref="HeyGenVideoServiceOptions"/>. Registered as a singleton (and as the <see cref="IAvatarServiceFactory"/>)
/// by <c>AddHeyGenVideoService</c>.
/// </summary>
/// <remarks>
/// The container does not track what this creates: the <c>PipelineTask</c> running a service disposes it with its
/// pipeline (or the caller disposes one that never ran), and nothing keeps it alive afterwards. Each service gets its
/// own REST client on a fresh <see cref="HttpClient"/> from IHttpClientFactory (so the handlers added to the
/// registration's <c>IHttpClientBuilder</c> apply, and the factory's handler rotation too).
/// </remarks>
public sealed class HeyGenVideoServiceFactory : IAvatarServiceFactory
{
    private readonly IServiceProvider _services;
    private readonly Func<IServiceProvider, BaseAvatarApi> _api;
    private readonly IAvatarMediaConnector? _connector;

    internal HeyGenVideoServiceFactory(IServiceProvider services, Func<IServiceProvider, BaseAvatarApi> api)
    {
        _services = services;
        _api = api;
        // Only relay mode joins the avatar's room; a direct-room service needs no connector.
        _connector = services.GetService<IAvatarMediaConnector>();
    }

    /// <summary>Creates a service for one pipeline with the registered options, changed by <paramref name="configure"/>.</summary>
    /// <param name="configure">Per-pipeline changes (e.g. another avatar); applied to a copy of the registered options
    /// whose <see cref="HeyGenVideoServiceOptions.Realtime"/> is a copy too.</param>
    /// <param name="name">Name for logs; defaults to <c>HeyGenVideoService#N</c>.</param>
    /// <returns>A new service the caller owns (see the remarks).</returns>
    /// <exception cref="ArgumentException">The options, after <paramref name="configure"/>, are invalid.</exception>
    /// <exception cref="InvalidOperationException">Relay mode without an <see cref="IAvatarMediaConnector"/> in the container.</exception>
    public HeyGenVideoService Create(Action<HeyGenVideoServiceOptions>? configure = null, string? name = null)
    {
        HeyGenVideoServiceOptions options = _services.GetRequiredService<IOptions<HeyGenVideoServiceOptions>>().Value.Clone();
        options.Realtime = options.Realtime.Clone();
        configure?.Invoke(options);
        if (options.MediaMode == AvatarMediaMode.DirectRoom)
        {
            return new HeyGenVideoService(_api(_services), options, name); // the avatar publishes into the user's room
        }

        IAvatarMediaConnector connector = _connector ?? throw new InvalidOperationException(
            "HeyGenVideoService needs an IAvatarMediaConnector in the container: register LiveKitAvatarMediaConnector " +
            "(AddLiveKitAvatarMedia, Pipeline.LiveKit) for real rooms, or the HeyGen emulator's MediaConnector offline " +
            "(or set MediaMode = AvatarMediaMode.DirectRoom: the avatar then publishes into the user's room and no connector is used).");
        return new HeyGenVideoService(_api(_services), connector, options, name);
    }

    /// <inheritdoc />
    AvatarVideoService IAvatarServiceFactory.Create(string? name) => Create(configure: null, name);
}
