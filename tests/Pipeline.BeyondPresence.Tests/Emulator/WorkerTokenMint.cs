using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.BeyondPresence.Tests.Emulator;

/// <summary>The LiveKit access token an agent mints for its avatar worker (HS256 JWT: identity, one room, kind agent,
/// publishing on behalf of the agent), as the worker session does.</summary>
internal static class WorkerTokenMint
{
    public const string Secret = "bey-tests-livekit-secret-long-enough-for-hs256";

    public static string Mint(string worker, string agent, string room, string secret = Secret)
    {
        var claims = new JsonObject
        {
            ["iss"] = "APIbeytests",
            ["sub"] = worker,
            ["nbf"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
            ["video"] = new JsonObject { ["roomJoin"] = true, ["room"] = room, ["canPublish"] = true, ["canSubscribe"] = true, ["canPublishData"] = true },
            ["kind"] = "agent",
            ["attributes"] = new JsonObject { [AvatarWorkerProtocol.PublishOnBehalfAttribute] = agent },
        };
        string header = Base64Url.EncodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);
        string payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        string signature = Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(header + "." + payload)));
        return header + "." + payload + "." + signature;
    }
}
