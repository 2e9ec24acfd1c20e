using Pipeline.Core.Avatars;

namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>The pieces of opening a worker session that need no session: the agent's room, the worker's token, and
/// keeping secrets out of a start failure's message.</summary>
internal static class WorkerStart
{
    /// <summary>The agent's connected room.</summary>
    /// <exception cref="AvatarStartException">It could not be had, or it is not connected.</exception>
    public static async Task<Room> FindRoomAsync(Func<CancellationToken, Task<Room>> roomProvider, CancellationToken cancellationToken)
    {
        Room room;
        try
        {
            room = await roomProvider(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new AvatarStartException("find the agent's room", ex);
        }

        if (room?.LocalParticipant is null || room.ConnectionState == RoomConnectionState.Disconnected)
        {
            throw new AvatarStartException("find the agent's room", new InvalidOperationException(
                "The agent's room is not connected: the avatar worker joins the agent's own room, so connect it first (e.g. LiveKitTransport.ConnectAsync)."));
        }

        return room;
    }

    /// <summary>The worker's token: kind agent, its identity, a grant to join the agent's room, and the attribute naming
    /// the agent it publishes for.</summary>
    public static string MintWorkerToken(LiveKitAvatarWorkerOptions options, string workerIdentity, string room, string agentIdentity, TimeProvider time) => new LiveKitAccessToken
    {
        ApiKey = options.ApiKey!,
        ApiSecret = options.ApiSecret!,
        Identity = workerIdentity,
        Name = workerIdentity,
        Room = room,
        Kind = "agent",
        Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { [AvatarWorkerProtocol.PublishOnBehalfAttribute] = agentIdentity },
        TimeToLive = options.WorkerTokenTimeToLive,
        TimeProvider = time,
    }.ToJwt();

    /// <summary>The text with the token and the secret replaced by <c>***</c> (a provider's message might echo them).</summary>
    public static string Redact(string text, string? token, string? secret)
    {
        foreach (string? value in new[] { token, secret })
        {
            if (!string.IsNullOrEmpty(value))
            {
                text = text.Replace(value, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>The cause of a start failure, with secrets redacted and what closing met on the way out.</summary>
    public sealed class Failure(string message, Exception inner) : Exception(message, inner);
}
