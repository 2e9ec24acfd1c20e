using Pipeline.Core.Avatars;

namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// Opens avatar sessions whose avatar is a provider's worker in the agent's LiveKit room (LiveKit's avatar-worker
/// protocol: Beyond Presence, Tavus, ...): the <see cref="IAvatarWorkerDispatcher"/> is the provider's only part. Plug
/// it into an <see cref="AvatarVideoService"/>; the avatar's video and audio go straight into the room, so put the
/// agent's <see cref="LiveKitTransport"/> in the same pipeline for the user's microphone.
/// </summary>
public sealed class LiveKitAvatarWorkerSessionFactory : IAvatarSessionFactory
{
    // One pooled client for the RoomService calls when none is given (creating one per call exhausts sockets).
    private static readonly HttpClient s_sharedHttp = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly LiveKitAvatarWorkerOptions _options;
    private readonly IAvatarWorkerDispatcher _dispatcher;
    private readonly Func<CancellationToken, Task<Room>> _room;

    /// <summary>Creates the factory over a room the caller connects.</summary>
    /// <param name="options">Where the worker joins, the project credentials, the protocol's bounds; validated here.</param>
    /// <param name="dispatcher">Starts and ends the provider's worker.</param>
    /// <param name="room">Returns the agent's connected room (the session registers its RPC methods there and never leaves it).</param>
    /// <exception cref="ArgumentException">An option is missing or out of range (the message names it; never a secret).</exception>
    public LiveKitAvatarWorkerSessionFactory(LiveKitAvatarWorkerOptions options, IAvatarWorkerDispatcher dispatcher, Func<CancellationToken, Task<Room>> room)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(room);
        options.Validate();
        if (string.IsNullOrWhiteSpace(dispatcher.WorkerIdentity))
        {
            throw new ArgumentException($"The {dispatcher.Provider} dispatcher has no WorkerIdentity: the worker's token needs one.", nameof(dispatcher));
        }

        _options = options;
        _dispatcher = dispatcher;
        _room = room;
    }

    /// <summary>Creates the factory over the agent's transport: the session joins its room through its (idempotent) <see cref="LiveKitTransport.ConnectAsync"/>.</summary>
    /// <param name="options">Where the worker joins, the project credentials, the protocol's bounds; validated here.</param>
    /// <param name="dispatcher">Starts and ends the provider's worker.</param>
    /// <param name="transport">The agent's transport; it owns the room and leaves it.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public LiveKitAvatarWorkerSessionFactory(LiveKitAvatarWorkerOptions options, IAvatarWorkerDispatcher dispatcher, LiveKitTransport transport)
        : this(options, dispatcher, RoomOf(transport))
    {
    }

    /// <summary>The HTTP client for LiveKit's server API (removing the worker); null for a shared pooled one.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Told the size in bytes of every speech chunk streamed to the worker, as it leaves (a probe for tests and diagnostics).</summary>
    internal Action<int>? ChunkSent { get; init; }

    /// <inheritdoc />
    public async ValueTask<IAvatarSession> OpenAsync(AvatarSessionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var roomService = new LiveKitRoomService(HttpClient ?? s_sharedHttp, _options.EffectiveRoomServiceUrl, _options.ApiKey!, _options.ApiSecret!, context.TimeProvider);
        return await LiveKitAvatarWorkerSession.OpenAsync(_options, _dispatcher, _room, roomService, context, ChunkSent, cancellationToken).ConfigureAwait(false);
    }

    private static Func<CancellationToken, Task<Room>> RoomOf(LiveKitTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        return async ct =>
        {
            await transport.ConnectAsync(ct).ConfigureAwait(false);
            return transport.Room;
        };
    }
}
