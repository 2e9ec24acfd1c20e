using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorker.Emulator.Api;

/// <summary>
/// Checks a worker's LiveKit access token the way a provider must before sending a worker with it: a JWT whose claims
/// let it join one room as an agent publishing for one agent identity (<c>sub</c>, <c>video.roomJoin</c> +
/// <c>video.room</c>, <c>kind</c> = <c>agent</c>, <c>attributes."lk.publish_on_behalf"</c>). The signature is checked
/// only when the LiveKit secret is known (a real provider does not have it; the LiveKit server checks it on join).
/// Error texts name the claim, never the token.
/// </summary>
internal sealed class WorkerTokenValidator(string? liveKitApiSecret, TimeProvider time)
{
    /// <summary>Reads the claims, or says what is wrong.</summary>
    /// <returns>The claims, or null with <paramref name="error"/> set.</returns>
    public WorkerTokenClaims? Validate(string token, out string? error)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(static p => p.Length == 0))
        {
            error = "is not a JWT (three base64url parts separated by dots); pass the LiveKit access token minted for the avatar worker";
            return null;
        }

        JsonDocument? claims = Decode(parts[1]);
        if (claims is null || claims.RootElement.ValueKind != JsonValueKind.Object)
        {
            error = "has a payload that is not base64url-encoded JSON";
            return null;
        }

        using (claims)
        {
            if (liveKitApiSecret is not null && !SignatureMatches(parts, liveKitApiSecret))
            {
                error = "is not signed with the LiveKit API secret this emulator was configured with (HS256)";
                return null;
            }

            JsonElement root = claims.RootElement;
            if (liveKitApiSecret is not null && root.TryGetProperty("exp", out JsonElement exp) && exp.TryGetInt64(out long expires)
                && DateTimeOffset.FromUnixTimeSeconds(expires) <= time.GetUtcNow())
            {
                error = "has expired (exp is in the past); mint a fresh one";
                return null;
            }

            error = Missing(root);
            return error is null
                ? new WorkerTokenClaims(root.GetProperty("sub").GetString()!, root.GetProperty("video").GetProperty("room").GetString()!,
                    root.GetProperty("attributes").GetProperty(AvatarWorkerProtocol.PublishOnBehalfAttribute).GetString()!)
                : null;
        }
    }

    private static string? Missing(JsonElement root)
    {
        if (!NonEmptyString(root, "sub"))
        {
            return "has no identity (claim 'sub'): the worker needs one to join";
        }

        if (!root.TryGetProperty("video", out JsonElement video) || video.ValueKind != JsonValueKind.Object
            || !video.TryGetProperty("roomJoin", out JsonElement join) || join.ValueKind != JsonValueKind.True)
        {
            return "does not grant joining a room (claim 'video.roomJoin' must be true)";
        }

        if (!NonEmptyString(video, "room"))
        {
            return "names no room (claim 'video.room')";
        }

        if (!root.TryGetProperty("kind", out JsonElement kind) || kind.ValueKind != JsonValueKind.String || kind.GetString() != "agent")
        {
            return "is not an agent's (claim 'kind' must be \"agent\"): avatar workers join as agents";
        }

        if (!root.TryGetProperty("attributes", out JsonElement attributes) || attributes.ValueKind != JsonValueKind.Object
            || !NonEmptyString(attributes, AvatarWorkerProtocol.PublishOnBehalfAttribute))
        {
            return $"does not say whom the worker publishes for (claim 'attributes.\"{AvatarWorkerProtocol.PublishOnBehalfAttribute}\"' = the agent's identity)";
        }

        return null;
    }

    private static bool NonEmptyString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString());

    private static JsonDocument? Decode(string part)
    {
        try
        {
            return JsonDocument.Parse(Base64UrlTextEncoder.Decode(part));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static bool SignatureMatches(string[] parts, string secret)
    {
        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        byte[] actual;
        try
        {
            actual = Base64UrlTextEncoder.Decode(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
