using System.Text;
using System.Text.Json;
using Pipeline.HeyGen.Api;

namespace Pipeline.HeyGen.Video;

/// <summary>
/// Which room participant is the avatar. In rooms HeyGen and LiveAvatar manage it is <c>heygen</c> (code: HeyGen's
/// LiveAvatar web SDK and Pipecat's transport take the avatar's tracks from that identity). In a room of your own
/// (LiveAvatar <c>livekit_config</c>) the avatar joins with the token you gave it, so its identity is that token's
/// subject (<c>sub</c>, LiveKit's identity claim).
/// </summary>
internal static class AvatarIdentityResolver
{
    /// <summary>The avatar's identity in HeyGen-managed rooms.</summary>
    public const string Managed = "heygen";

    public static string Resolve(HeyGenVideoServiceOptions options) =>
        options.AvatarIdentity
        ?? (options.SessionRequest is LiveAvatarNewSessionRequest { LiveKitConfig: { } own } ? SubjectOf(own.LiveKitClientToken) : null)
        ?? Managed;

    /// <summary>The <c>sub</c> claim of a JWT, without checking its signature (only the identity is wanted); null
    /// when the token is not a readable JWT.</summary>
    internal static string? SubjectOf(string token)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            string payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using JsonDocument claims = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            return claims.RootElement.ValueKind == JsonValueKind.Object
                && claims.RootElement.TryGetProperty("sub", out JsonElement sub)
                && sub.ValueKind == JsonValueKind.String
                && !string.IsNullOrWhiteSpace(sub.GetString())
                ? sub.GetString()
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }
}
