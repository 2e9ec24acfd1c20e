using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.BeyondPresence;

/// <summary>
/// Sends Beyond Presence's avatar worker into the agent's LiveKit room (<c>POST /v1/session</c> with the avatar id, the
/// LiveKit URL and the worker's token): the provider-specific part of a LiveKit avatar-worker session.
/// </summary>
/// <remarks>Beyond Presence's session ends when its worker leaves the room, and it documents no call to end one, so
/// <see cref="EndAsync"/> sends nothing: the provider-neutral session removes the worker from the room (LiveKit's
/// RoomService), which is what stops the billing.</remarks>
public sealed class BeyondPresenceDispatcher : IAvatarWorkerDispatcher
{
    private readonly BeyondPresenceApi _api;
    private readonly string _avatarId;

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="api">The REST client (kept by the caller).</param>
    /// <param name="options">The avatar id and worker identity to use (the same options the client was built with).</param>
    /// <exception cref="ArgumentException">An option is missing or out of range (the message names it).</exception>
    public BeyondPresenceDispatcher(BeyondPresenceApi api, BeyondPresenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _api = api;
        _avatarId = options.AvatarId;
        WorkerIdentity = options.WorkerIdentity;
    }

    /// <inheritdoc />
    public string Provider => BeyondPresenceApi.ProviderName;

    /// <inheritdoc />
    public string WorkerIdentity { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The request's worker identity is not <see cref="WorkerIdentity"/> (the
    /// token would name a participant the session does not wait for).</exception>
    public async ValueTask<AvatarWorkerDispatch> DispatchAsync(AvatarWorkerDispatchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.Equals(request.WorkerIdentity, WorkerIdentity, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The request names worker '{request.WorkerIdentity}' but this dispatcher's worker is '{WorkerIdentity}': mint the worker's token for " +
                $"{nameof(IAvatarWorkerDispatcher)}.{nameof(WorkerIdentity)} (BeyondPresenceOptions.WorkerIdentity).", nameof(request));
        }

        BeyondPresenceSession session = await _api.CreateSessionAsync(
            new BeyondPresenceSessionRequest(_avatarId, request.LiveKitUrl, request.WorkerToken), cancellationToken).ConfigureAwait(false);
        return new AvatarWorkerDispatch(Provider, session.Id);
    }

    /// <summary>Sends nothing: Beyond Presence ends the session when its worker leaves the room, and documents no
    /// call that ends it (see the remarks on <see cref="BeyondPresenceDispatcher"/>).</summary>
    /// <inheritdoc />
    public ValueTask EndAsync(AvatarWorkerDispatch dispatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        return ValueTask.CompletedTask;
    }
}
