namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>A provider session started by <see cref="IAvatarWorkerDispatcher.DispatchAsync"/>.</summary>
/// <param name="Provider">The dispatcher's <see cref="IAvatarWorkerDispatcher.Provider"/>.</param>
/// <param name="SessionId">The provider's id of the session (not a secret; used to end it).</param>
public sealed record AvatarWorkerDispatch(string Provider, string SessionId);
