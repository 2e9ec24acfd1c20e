using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// The response shapes of the two services.
/// Interactive Avatar: success <c>{"code":100,"message":"success","data":{...}}</c>, error <c>{"code":40001,"message":"..."}</c>.
/// LiveAvatar: <c>{"code":...,"data":{...} or null,"message":"..."}</c>, and FastAPI's 422 <c>{"detail":[{"type","loc","msg"}]}</c>.
/// </summary>
internal static class Wire
{
    public const int StreamingSuccessCode = 100;

    // HeyGen's documented error codes (reference/errors and forum threads).
    public const int CodeUnauthorized = 400112;
    public const int CodeInvalidCredentials = 40009;
    public const int CodeMissingParameter = 40001;
    public const int CodeInvalidParameter = 400175;
    public const int CodeAvatarNotFound = 10013;
    public const int CodeSessionStateWrong = 10005;
    public const int CodeSessionNotFound = 400004;

    public static Task StreamingOk(HttpContext context, JsonNode? data) =>
        WriteJson(context, StatusCodes.Status200OK, new JsonObject
        {
            ["code"] = StreamingSuccessCode,
            ["message"] = "success",
            ["data"] = data,
        });

    public static Task StreamingError(HttpContext context, int status, int code, string message) =>
        WriteJson(context, status, new JsonObject { ["code"] = code, ["message"] = message });

    public static Task LiveAvatarOk(HttpContext context, int status, int code, JsonNode? data) =>
        WriteJson(context, status, new JsonObject { ["code"] = code, ["data"] = data, ["message"] = "success" });

    public static Task LiveAvatarError(HttpContext context, int status, string message) =>
        WriteJson(context, status, new JsonObject { ["code"] = status, ["data"] = null, ["message"] = message });

    public static Task ValidationError(HttpContext context, string field, string message, string type) =>
        WriteJson(context, StatusCodes.Status422UnprocessableEntity, new JsonObject
        {
            ["detail"] = new JsonArray(new JsonObject
            {
                ["type"] = type,
                ["loc"] = new JsonArray(["body", .. field.Split('.').Select(static part => (JsonNode?)part)]),
                ["msg"] = message,
            }),
        });

    public static Task WriteJson(HttpContext context, int status, JsonNode body) => WriteRaw(context, status, body.ToJsonString());

    public static async Task WriteRaw(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Reads the body as a JSON object; null when it is empty, not JSON or not an object.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpContext context)
    {
        try
        {
            var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return node as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string member, or null when absent or not a string.</summary>
    public static string? String(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The bearer token of the Authorization header, if any.</summary>
    public static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }
}
