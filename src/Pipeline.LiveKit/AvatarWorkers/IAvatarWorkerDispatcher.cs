namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// The one provider-specific part of a LiveKit avatar worker: asks the provider (Beyond Presence, Tavus, an emulator)
/// to send its worker into a room, and ends what it started. Everything else (the token, streaming speech, RPCs,
/// waiting for the worker, removing it) is the provider-neutral <c>LiveKitAvatarWorkerSession</c>'s.
/// </summary>
public interface IAvatarWorkerDispatcher
{
    /// <summary>The provider's name for messages and telemetry, e.g. "Beyond Presence".</summary>
    string Provider { get; }

    /// <summary>The identity the worker joins the room with (the token the session mints names it).</summary>
    string WorkerIdentity { get; }

    /// <summary>
    /// Starts the provider's session: its worker is to join <see cref="AvatarWorkerDispatchRequest.LiveKitUrl"/> with
    /// <see cref="AvatarWorkerDispatchRequest.WorkerToken"/>. Billing starts here; the caller ends it with
    /// <see cref="EndAsync"/> exactly once, whatever happens next.
    /// </summary>
    /// <exception cref="AvatarWorkerDispatchException">The provider refused or could not be reached (the message says which, without secrets).</exception>
    ValueTask<AvatarWorkerDispatch> DispatchAsync(AvatarWorkerDispatchRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the provider's session started by <see cref="DispatchAsync"/> (a no-op for a provider whose session ends
    /// when its worker leaves the room). Best effort: never throws for an already ended session.
    /// </summary>
    ValueTask EndAsync(AvatarWorkerDispatch dispatch, CancellationToken cancellationToken);
}
