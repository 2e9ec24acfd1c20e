namespace Pipeline.AvatarWorker.Emulator.Api;

/// <summary>What a worker's LiveKit token says about it (the token itself stays with the worker).</summary>
/// <param name="Identity">The worker's identity (<c>sub</c>).</param>
/// <param name="Room">The room it may join (<c>video.room</c>).</param>
/// <param name="AgentIdentity">The agent it publishes on behalf of (<c>attributes."lk.publish_on_behalf"</c>).</param>
internal sealed record WorkerTokenClaims(string Identity, string Room, string AgentIdentity);
