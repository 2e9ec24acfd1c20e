using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Pipeline.AvatarWorker.Emulator.Tests;

/// <summary>LiveKit access tokens as an agent mints them for its avatar worker (HS256 JWTs), whole or with a claim missing.</summary>
internal static class WorkerTokens
{
    public const string ApiKey = "APItest";
    public const string Secret = "test-livekit-secret-that-is-long-enough";
    public const string Room = "room";

    public static JsonObject Claims(string worker = "avatar-worker", string agent = "agent", string room = Room) => new()
    {
        ["iss"] = ApiKey,
        ["sub"] = worker,
        ["nbf"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(),
        ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
        ["video"] = new JsonObject { ["roomJoin"] = true, ["room"] = room, ["canPublish"] = true, ["canSubscribe"] = true, ["canPublishData"] = true },
        ["kind"] = "agent",
        ["attributes"] = new JsonObject { ["lk.publish_on_behalf"] = agent },
    };

    public static string Mint(string worker = "avatar-worker", string agent = "agent") => Sign(Claims(worker, agent));

    /// <summary>A token for another participant of the room (the agent, a viewer): no publish-on-behalf attribute.</summary>
    public static string Participant(string identity, string? kind = null)
    {
        JsonObject claims = Claims(identity);
        claims.Remove("attributes");
        claims.Remove("kind");
        if (kind is not null)
        {
            claims["kind"] = kind;
        }

        return Sign(claims);
    }

    public static string Sign(JsonObject claims, string secret = Secret)
    {
        string header = Base64UrlTextEncoder.Encode(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        string payload = Base64UrlTextEncoder.Encode(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        string signature = Base64UrlTextEncoder.Encode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }
}
