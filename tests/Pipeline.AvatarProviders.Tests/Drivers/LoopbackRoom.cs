using Pipeline.LiveKit;

namespace Pipeline.AvatarProviders.Tests.Drivers;

/// <summary>
/// The loopback SFU as the agent's LiveKit room, with a LiveKit project's credentials: it verifies every token's
/// signature (HS256 with <see cref="ApiSecret"/>) and serves RoomService, as a LiveKit server does. One place knows
/// the room, its credentials and the participants' tokens.
/// </summary>
internal sealed class LoopbackRoom : IAsyncDisposable
{
    public const string AgentIdentity = "voice-bot";
    public const string RoomName = "avatar-providers";

    private LoopbackRoom(LoopbackSfu sfu)
    {
        Sfu = sfu;
    }

    public LoopbackSfu Sfu { get; }

    public Uri Url => Sfu.Url;

    public const string ApiKey = "APIloopback";

    public const string ApiSecret = "loopback-secret-0123456789abcdef0123456789";

    /// <summary>The server API (RoomService) address: the SFU serves it on a port of its own.</summary>
    public Uri RoomServiceUrl => Sfu.RoomServiceUrl;

    /// <summary>A signed token to join the room as <paramref name="identity"/>.</summary>
    public static string TokenFor(string identity, bool agent) => new LiveKitAccessToken
    {
        ApiKey = ApiKey,
        ApiSecret = ApiSecret,
        Identity = identity,
        Room = RoomName,
        Kind = agent ? "agent" : null,
    }.ToJwt();

    public static async Task<LoopbackRoom> StartAsync() =>
        new(await LoopbackSfu.StartAsync("--no-avatar", "--room", RoomName, "--api-key", ApiKey, "--api-secret", ApiSecret));

    public ValueTask DisposeAsync() => Sfu.DisposeAsync();
}
