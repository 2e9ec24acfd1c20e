using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.Tavus;

/// <summary>
/// Sends a Tavus replica into the agent's LiveKit room (<c>POST /v2/conversations</c> with the persona, the replica and
/// the LiveKit URL and token as conversation properties) and ends its conversation
/// (<c>POST /v2/conversations/{id}/end</c>): the provider-specific part of a LiveKit avatar-worker session.
/// </summary>
/// <remarks>Tavus bills a conversation until it ends, so <see cref="EndAsync"/> always calls Tavus (retried on
/// transient failures); a conversation Tavus no longer knows counts as ended. LiveKit's plugin streams speech to a
/// Tavus replica at <see cref="TavusOptions.RecommendedSampleRate"/> Hz.</remarks>
public sealed class TavusDispatcher : IAvatarWorkerDispatcher
{
    private readonly TavusApi _api;
    private readonly string _personaId;
    private readonly string? _replicaId;

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="api">The REST client (kept by the caller).</param>
    /// <param name="options">The persona, replica and worker identity to use (the options the client was built with).</param>
    /// <exception cref="ArgumentException">An option is missing or out of range (the message names it).</exception>
    public TavusDispatcher(TavusApi api, TavusOptions options)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _api = api;
        _personaId = options.PersonaId;
        _replicaId = string.IsNullOrWhiteSpace(options.ReplicaId) ? null : options.ReplicaId;
        WorkerIdentity = options.WorkerIdentity;
    }

    /// <inheritdoc />
    public string Provider => TavusApi.ProviderName;

    /// <inheritdoc />
    public string WorkerIdentity { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The request's worker identity is not <see cref="WorkerIdentity"/>.</exception>
    public async ValueTask<AvatarWorkerDispatch> DispatchAsync(AvatarWorkerDispatchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.Equals(request.WorkerIdentity, WorkerIdentity, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The request names worker '{request.WorkerIdentity}' but this dispatcher's replica is '{WorkerIdentity}': mint the replica's token for " +
                $"{nameof(IAvatarWorkerDispatcher)}.{nameof(WorkerIdentity)} (TavusOptions.WorkerIdentity).", nameof(request));
        }

        // A unique, findable name: if the create's answer is lost, the error names it so it can be ended in the dashboard.
        string room = request.RoomName.Length <= 40 ? request.RoomName : request.RoomName[..40];
        string name = $"pipeline-{room}-{Guid.NewGuid():N}";
        TavusConversation conversation = await _api.CreateConversationAsync(
            new TavusConversationRequest(_personaId, _replicaId, request.LiveKitUrl, request.WorkerToken, name), cancellationToken).ConfigureAwait(false);
        return new AvatarWorkerDispatch(Provider, conversation.ConversationId);
    }

    /// <summary>Ends the Tavus conversation (<c>POST /v2/conversations/{id}/end</c>, retried on transient failures);
    /// one Tavus no longer knows counts as ended.</summary>
    /// <inheritdoc />
    /// <exception cref="AvatarWorkerDispatchException">Tavus could not end it; the message says it may still be billed.</exception>
    public async ValueTask EndAsync(AvatarWorkerDispatch dispatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        await _api.EndConversationAsync(dispatch.SessionId, cancellationToken).ConfigureAwait(false);
    }
}
