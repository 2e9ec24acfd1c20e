using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// LiveAvatar session tokens shaped like the real ones: a JWT (<c>header.payload.signature</c>, base64url) whose payload
/// carries the session id and <c>start_session_data</c> with the session's mode, avatar and sandbox flag. HeyGen's
/// LiveAvatar web SDK decodes the payload to read <c>start_session_data.mode</c> (its code, version 0.0.18; the other
/// claim names are the emulator's choice). Signed with HMAC-SHA256 under a key only the emulator knows: clients must
/// treat the token as opaque apart from that decoding.
/// </summary>
internal sealed class SessionTokenJwt : IDisposable
{
    private readonly HMACSHA256 _signer = new(RandomNumberGenerator.GetBytes(32));

    public string Issue(string sessionId, string mode, string avatarId, bool sandbox, DateTimeOffset now, TimeSpan lifetime)
    {
        var header = new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" };
        var payload = new JsonObject
        {
            ["sub"] = sessionId,
            ["session_id"] = sessionId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["start_session_data"] = new JsonObject
            {
                ["mode"] = mode,
                ["avatar_id"] = avatarId,
                ["is_sandbox"] = sandbox,
            },
        };
        var signed = Encode(header) + "." + Encode(payload);
        byte[] signature;
        lock (_signer)
        {
            signature = _signer.ComputeHash(Encoding.ASCII.GetBytes(signed));
        }

        return signed + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => _signer.Dispose();

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
