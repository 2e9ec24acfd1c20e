using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pipeline.LiveKit.Tests;

/// <summary>
/// LiveKit access tokens written by hand for the loopback SFU's tests: any claims (the product's
/// <see cref="LiveKitAccessToken"/> only writes valid ones), signed HS256 with the given secret.
/// </summary>
internal static class TestJwt
{
    public const string ApiKey = "APItestkey";
    public const string ApiSecret = "test-secret-of-at-least-32-characters-long";

    /// <summary>A join token: identity, optional kind and attributes, the room grant.</summary>
    public static string Join(string identity, string room = "test-room", string? kind = null, IReadOnlyDictionary<string, string>? attributes = null, string secret = ApiSecret)
    {
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = ApiKey,
            ["sub"] = identity,
            ["name"] = identity + " (display)",
            ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
            ["video"] = new Dictionary<string, object> { ["roomJoin"] = true, ["room"] = room, ["canPublish"] = true, ["canSubscribe"] = true, ["canPublishData"] = true },
        };
        if (kind is not null)
        {
            claims["kind"] = kind;
        }

        if (attributes is not null)
        {
            claims["attributes"] = attributes;
        }

        return Sign(claims, secret);
    }

    /// <summary>A RoomService token: roomAdmin for <paramref name="room"/> (or without the grant).</summary>
    public static string Admin(string room = "test-room", bool roomAdmin = true, string secret = ApiSecret) => Sign(
        new Dictionary<string, object?>
        {
            ["iss"] = ApiKey,
            ["sub"] = "test-backend",
            ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
            ["video"] = new Dictionary<string, object> { ["roomAdmin"] = roomAdmin, ["room"] = room },
        },
        secret);

    public static string Sign(IReadOnlyDictionary<string, object?> claims, string secret)
    {
        string header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        string body = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        byte[] signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(header + "." + body));
        return header + "." + body + "." + Base64Url.EncodeToString(signature);
    }
}
