using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Pipeline.AvatarWorker.Emulator.Api;

/// <summary>
/// The response shapes of Beyond Presence's API (a FastAPI service): a session object, <c>{"detail": "..."}</c> for
/// auth and lookup errors, and FastAPI's validation error <c>{"detail": [{"type", "loc": ["body", field], "msg"}]}</c>
/// (422). The validation shape is FastAPI's standard one; Beyond Presence's documentation shows only success bodies.
/// </summary>
internal static class ApiResponses
{
    public static JsonObject Session(WorkerSessionRecord session, string token) => new()
    {
        ["id"] = session.Id,
        ["created_at"] = session.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["avatar_id"] = session.AvatarId,
        ["livekit_url"] = session.LiveKitUrl.OriginalString,

        // The service echoes the token it was given (documented); only error texts must never carry it.
        ["livekit_token"] = token,
    };

    public static Task Detail(HttpContext context, int status, string message) =>
        Write(context, status, new JsonObject { ["detail"] = message }.ToJsonString());

    public static Task Invalid(HttpContext context, string? field, string message, string type = "value_error") =>
        Write(context, StatusCodes.Status422UnprocessableEntity, new JsonObject
        {
            ["detail"] = new JsonArray(new JsonObject
            {
                ["type"] = type,
                ["loc"] = field is null ? new JsonArray("body") : new JsonArray("body", field),
                ["msg"] = message,
            }),
        }.ToJsonString());

    public static async Task Write(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }
}
