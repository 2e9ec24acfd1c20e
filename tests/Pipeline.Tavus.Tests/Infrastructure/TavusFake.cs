using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Pipeline.Tavus.Tests.Infrastructure;

/// <summary>
/// Tavus's conversation API as its docs describe it, on a <see cref="ProviderTestServer"/> under <c>/v2</c>:
/// <c>POST /v2/conversations</c> with the right key answers 200 with the conversation (and a meeting URL);
/// <c>POST /v2/conversations/{id}/end</c> answers 200 for a conversation it created (counting the ends), else 404
/// <c>{"error": "Invalid conversation_id"}</c>; a wrong key gets 401.
/// </summary>
public sealed class TavusFake
{
    public const string ApiKey = "tvs-live-9876543210fedcbaQRS";

    public const string WorkerToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0YXZ1cy1hdmF0YXItYWdlbnQiLCJ2aWRlbyI6eyJyb29tSm9pbiI6dHJ1ZX19.dGF2dXMtd29ya2VyLXNpZ25hdHVyZQ";

    private readonly ConcurrentDictionary<string, int> _ends = new(StringComparer.Ordinal);
    private int _created;

    private TavusFake()
    {
    }

    /// <summary>How many times each conversation was ended.</summary>
    public IReadOnlyDictionary<string, int> Ends => _ends;

    public static TavusFake Install(ProviderTestServer server)
    {
        var fake = new TavusFake();
        server.DefaultAnswer = fake.Answer;
        return fake;
    }

    private ScriptedAnswer Answer(RecordedRequest request)
    {
        if (!request.Headers.TryGetValue("x-api-key", out string? key) || key != ApiKey)
        {
            return new ScriptedAnswer(401, """{"message":"Invalid access token"}""");
        }

        if (request.Method == "POST" && request.Path == "/v2/conversations")
        {
            JsonObject body = JsonNode.Parse(request.Body)!.AsObject();
            string id = $"c{Interlocked.Increment(ref _created):D6}";
            _ends[id] = 0;
            return new ScriptedAnswer(200, new JsonObject
            {
                ["conversation_id"] = id,
                ["conversation_name"] = body["conversation_name"]?.GetValue<string>(),
                ["conversation_url"] = $"https://tavus.daily.co/{id}",
                ["status"] = "active",
                ["callback_url"] = null,
                ["created_at"] = "2026-12-02T06:00:00.000Z",
            }.ToJsonString());
        }

        if (request.Method == "POST" && request.Path.StartsWith("/v2/conversations/", StringComparison.Ordinal) && request.Path.EndsWith("/end", StringComparison.Ordinal))
        {
            string id = request.Path["/v2/conversations/".Length..^"/end".Length];
            if (!_ends.ContainsKey(id))
            {
                return new ScriptedAnswer(404, """{"error":"Invalid conversation_id"}""");
            }

            _ends.AddOrUpdate(id, 1, static (_, n) => n + 1);
            return new ScriptedAnswer(200);
        }

        return new ScriptedAnswer(404, """{"message":"Not Found"}""");
    }
}
