using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pipeline.AvatarWorker.Emulator.Worker;

namespace Pipeline.AvatarWorker.Emulator.Api;

/// <summary>
/// Beyond Presence's real-time session API (docs.bey.dev, "session"): <c>POST /v1/session</c> with <c>x-api-key</c> and
/// <c>{"avatar_id", "livekit_url", "livekit_token"}</c> answers 201 with the session and sends a worker into the room;
/// <c>GET /v1/session/{id}</c> answers the session. A missing or wrong key is 401; a body that is not a JSON object, or a
/// field that is missing or wrong (including a token a worker could not join with), is 422 naming the field.
/// </summary>
internal sealed class SessionEndpoints(AvatarWorkerEmulatorOptions options, AvatarWorkerLedger ledger, AvatarWorkerFaults faults, WorkerPool workers)
{
    /// <summary>The session collection's path.</summary>
    public const string SessionPath = "/v1/session";

    private readonly WorkerTokenValidator _tokens = new(options.LiveKitApiSecret, options.TimeProvider);
    private readonly Dictionary<string, string> _tokensById = new(StringComparer.Ordinal);

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(SessionPath, CreateAsync);
        app.MapGet(SessionPath + "/{id}", GetAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        if (!await AuthorizedAsync(context).ConfigureAwait(false))
        {
            return;
        }

        if (faults.TakeDispatchFailure() is { } failure)
        {
            ledger.CountRefusal();
            await ApiResponses.Write(context, failure.Status, failure.Body ?? "{\"detail\":\"injected fault\"}").ConfigureAwait(false);
            return;
        }

        JsonObject? body = await ReadObjectAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await RefuseAsync(context, null, "The body must be a JSON object with avatar_id, livekit_url and livekit_token.", "model_attributes_type").ConfigureAwait(false);
            return;
        }

        if (String(body, "avatar_id") is not { Length: > 0 } avatarId || string.IsNullOrWhiteSpace(avatarId))
        {
            await RefuseAsync(context, "avatar_id", "Field required: the id of the avatar to use (a non-empty string).", "missing").ConfigureAwait(false);
            return;
        }

        if (String(body, "livekit_url") is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out Uri? liveKitUrl)
            || liveKitUrl.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            await RefuseAsync(context, "livekit_url", "Field required: the LiveKit server URL the worker joins (ws://, wss://, http:// or https://).", "url_parsing").ConfigureAwait(false);
            return;
        }

        if (String(body, "livekit_token") is not { Length: > 0 } token)
        {
            await RefuseAsync(context, "livekit_token", "Field required: the LiveKit access token the worker joins with.", "missing").ConfigureAwait(false);
            return;
        }

        if (_tokens.Validate(token, out string? problem) is not { } claims)
        {
            await RefuseAsync(context, "livekit_token", "The LiveKit token " + problem + ".").ConfigureAwait(false);
            return;
        }

        var session = new WorkerSessionRecord(
            Guid.NewGuid().ToString(), avatarId, options.TimeProvider.GetUtcNow(), liveKitUrl, claims.Room, claims.Identity, claims.AgentIdentity);
        if (!workers.TryStart(session, token))
        {
            ledger.CountRefusal();
            await ApiResponses.Detail(context, StatusCodes.Status503ServiceUnavailable, "The emulator is shutting down.").ConfigureAwait(false);
            return;
        }

        lock (_tokensById)
        {
            _tokensById[session.Id] = token;
        }

        await WriteJsonAsync(context, StatusCodes.Status201Created, ApiResponses.Session(session, token)).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context, string id)
    {
        if (!await AuthorizedAsync(context).ConfigureAwait(false))
        {
            return;
        }

        string? token;
        lock (_tokensById)
        {
            _tokensById.TryGetValue(id, out token);
        }

        if (ledger.Find(id) is not { } session || token is null)
        {
            await ApiResponses.Detail(context, StatusCodes.Status404NotFound, "Session not found.").ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, ApiResponses.Session(session, token)).ConfigureAwait(false);
    }

    private async Task<bool> AuthorizedAsync(HttpContext context)
    {
        string key = context.Request.Headers["x-api-key"].ToString();
        if (key.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(options.ApiKey)))
        {
            return true;
        }

        ledger.CountRefusal();
        await ApiResponses.Detail(context, StatusCodes.Status401Unauthorized,
            key.Length == 0 ? "Missing API key: send it in the x-api-key header." : "Invalid API key.").ConfigureAwait(false);
        return false;
    }

    private Task RefuseAsync(HttpContext context, string? field, string message, string type = "value_error")
    {
        ledger.CountRefusal();
        return ApiResponses.Invalid(context, field, message, type);
    }

    private static Task WriteJsonAsync(HttpContext context, int status, JsonNode body) => ApiResponses.Write(context, status, body.ToJsonString());

    private static async Task<JsonObject?> ReadObjectAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
