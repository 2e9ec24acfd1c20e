namespace Pipeline.AvatarProviders.Tests.Drivers;

/// <summary>
/// The loopback SFU as the agent's LiveKit room: the server, the project credentials that sign its tokens, and the
/// tokens of the participants (the agent, the worker, a viewer). One place knows how the stand-in server authenticates.
/// </summary>
internal sealed class LoopbackRoom : IAsyncDisposable
{
    public const string AgentIdentity = "voice-bot";

    private LoopbackRoom(LoopbackSfu sfu)
    {
        Sfu = sfu;
    }

    public LoopbackSfu Sfu { get; }

    public Uri Url => Sfu.Url;

    public string ApiKey => "APIloopback";

    public string ApiSecret => "loopback-secret-0123456789abcdef0123456789";

    /// <summary>The server API (RoomService) address; null to derive it from <see cref="Url"/>.</summary>
    public Uri? RoomServiceUrl => null;

    /// <summary>The token the worker really joins with, for a server that does not read JWTs; null: the minted one.</summary>
    public Func<string, string>? WorkerJoinToken => identity => "identity:" + identity;

    public static async Task<LoopbackRoom> StartAsync() => new(await LoopbackSfu.StartAsync("--no-avatar"));

    /// <summary>A token to join as <paramref name="identity"/>.</summary>
    public string TokenFor(string identity, bool agent) => "identity:" + identity;

    public ValueTask DisposeAsync() => Sfu.DisposeAsync();
}
