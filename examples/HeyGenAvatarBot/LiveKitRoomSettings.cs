using Pipeline.LiveKit;

namespace HeyGenAvatarBot;

/// <summary>
/// The LiveKit room of the <c>--livekit</c> mode: the server (<c>LIVEKIT_URL</c>), the project's key and secret
/// (<c>LIVEKIT_API_KEY</c>, <c>LIVEKIT_API_SECRET</c>) and the room name. Tokens for the bot, the avatar and the user
/// are minted here, locally; the secret only signs them. A class, not a record, so the secret never appears in a
/// ToString.
/// </summary>
internal sealed class LiveKitRoomSettings
{
    public const string UrlVariable = "LIVEKIT_URL";
    public const string KeyVariable = "LIVEKIT_API_KEY";
    public const string SecretVariable = "LIVEKIT_API_SECRET";
    public const string DefaultRoom = "heygen-avatar-bot";

    /// <summary>The identities in the room: the bot listens to the first person, never to these agents.</summary>
    public const string BotIdentity = "voice-bot";
    public const string AvatarIdentity = "heygen-avatar";
    public const string UserIdentity = "user";

    public string? Url { get; init; }

    public string? ApiKey { get; init; }

    public string? ApiSecret { get; init; }

    public string Room { get; init; } = DefaultRoom;

    public static LiveKitRoomSettings FromEnvironment(Func<string, string?> environment, string? room) => new()
    {
        Url = NullIfEmpty(environment(UrlVariable)),
        ApiKey = NullIfEmpty(environment(KeyVariable)),
        ApiSecret = NullIfEmpty(environment(SecretVariable)),
        Room = NullIfEmpty(room) ?? DefaultRoom,
    };

    /// <summary>What is missing or wrong, each with what to do; empty when the room can be joined.</summary>
    /// <param name="mode">The option that needs the room, for the messages.</param>
    public IEnumerable<string> Problems(string mode = "--livekit")
    {
        if (Url is null)
        {
            yield return $"{mode} needs your LiveKit server's URL: set {UrlVariable} (wss://<project>.livekit.cloud, or ws://127.0.0.1:7880 for a local server).";
        }
        else if (!Uri.TryCreate(Url, UriKind.Absolute, out Uri? url) || url.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            yield return $"{UrlVariable} must be an absolute ws://, wss://, http:// or https:// URL (it is '{Url}').";
        }

        if (ApiKey is null)
        {
            yield return $"{mode} needs your LiveKit project's API key: set {KeyVariable} (LiveKit Cloud: Settings → API keys; a local server: its --keys).";
        }

        if (ApiSecret is null)
        {
            yield return $"{mode} needs your LiveKit project's API secret: set {SecretVariable}; the bot mints the room's tokens with it locally and never prints it.";
        }
    }

    /// <summary>A token to join <see cref="Room"/> for 6 hours as <paramref name="identity"/>.</summary>
    /// <param name="identity">Who joins.</param>
    /// <param name="name">The display name.</param>
    /// <param name="agent">Whether it is a bot or avatar (kind <c>agent</c>) rather than a person.</param>
    public string MintToken(string identity, string name, bool agent, TimeProvider? clock = null) => new LiveKitAccessToken
    {
        ApiKey = ApiKey ?? throw new InvalidOperationException($"{KeyVariable} is not set."),
        ApiSecret = ApiSecret ?? throw new InvalidOperationException($"{SecretVariable} is not set."),
        Identity = identity,
        Name = name,
        Room = Room,
        Kind = agent ? "agent" : null,
        TimeProvider = clock ?? TimeProvider.System,
    }.ToJwt();

    /// <summary>The server, room and key, never the secret.</summary>
    public override string ToString() => $"LiveKit room '{Room}' at {Url} (API key {ApiKey})";

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
