namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>What a provider needs to send its worker into the agent's room.</summary>
/// <param name="LiveKitUrl">The LiveKit server the worker joins (ws:// or wss://).</param>
/// <param name="RoomName">The agent's room.</param>
/// <param name="WorkerIdentity">The identity in <paramref name="WorkerToken"/>.</param>
/// <param name="AgentIdentity">The agent the worker publishes on behalf of (and streams from).</param>
/// <param name="WorkerToken">The LiveKit access token the worker joins with. A secret: never logged, redacted by <see cref="ToString"/>.</param>
public sealed record AvatarWorkerDispatchRequest(Uri LiveKitUrl, string RoomName, string WorkerIdentity, string AgentIdentity, string WorkerToken)
{
    /// <summary>Where and who, without the token.</summary>
    public override string ToString() => $"worker '{WorkerIdentity}' for agent '{AgentIdentity}' in room '{RoomName}' at {LiveKitUrl.GetLeftPart(UriPartial.Authority)} (token redacted)";
}
