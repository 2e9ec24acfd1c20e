using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.BeyondPresence.Tests.Infrastructure;

/// <summary>
/// Beyond Presence's session API as its docs describe it, on a <see cref="ProviderTestServer"/>: <c>POST /v1/session</c>
/// with the right <c>x-api-key</c> answers 201 with the session (echoing the token, as the real service does);
/// <c>GET /v1/session/{id}</c> answers 200 for a session it created, else 404; a wrong key gets 401.
/// </summary>
public static class BeyondPresenceFake
{
    public const string ApiKey = "bey-sk-live-0123456789abcdefXYZ";

    /// <summary>A LiveKit-shaped token (HS256 JWT) for the worker.</summary>
    public const string WorkerToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiZXktYXZhdGFyLWFnZW50IiwidmlkZW8iOnsicm9vbUpvaW4iOnRydWV9fQ.c2lnbmF0dXJlLW9mLXRoZS13b3JrZXItdG9rZW4";

    public static readonly DateTimeOffset CreatedAt = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);

    public static void Install(ProviderTestServer server)
    {
        var sessions = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        server.DefaultAnswer = request => Answer(request, sessions);
    }

    private static ScriptedAnswer Answer(RecordedRequest request, ConcurrentDictionary<string, string> sessions)
    {
        if (!request.Headers.TryGetValue("x-api-key", out string? key) || key != ApiKey)
        {
            return new ScriptedAnswer(401, """{"detail":"Invalid API Key"}""");
        }

        if (request.Method == "POST" && request.Path == "/v1/session")
        {
            JsonObject body = JsonNode.Parse(request.Body)!.AsObject();
            string id = $"0000000{sessions.Count + 1}-89ab-cdef-0123-456789abcdef";
            var session = new JsonObject
            {
                ["id"] = id,
                ["created_at"] = CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["avatar_id"] = body["avatar_id"]?.GetValue<string>(),
                ["livekit_url"] = body["livekit_url"]?.GetValue<string>(),
                ["livekit_token"] = body["livekit_token"]?.GetValue<string>(),
            }.ToJsonString();
            sessions[id] = session;
            return new ScriptedAnswer(201, session);
        }

        if (request.Method == "GET" && request.Path.StartsWith("/v1/session/", StringComparison.Ordinal))
        {
            return sessions.TryGetValue(Uri.UnescapeDataString(request.Path["/v1/session/".Length..]), out string? session)
                ? new ScriptedAnswer(200, session)
                : new ScriptedAnswer(404, JsonSerializer.Serialize(new { detail = "Session not found" }));
        }

        return new ScriptedAnswer(404, """{"detail":"Not Found"}""");
    }
}
