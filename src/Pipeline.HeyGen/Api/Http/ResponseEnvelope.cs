using System.Globalization;
using System.Text.Json;

namespace Pipeline.HeyGen.Api.Http;

/// <summary>
/// Reads HeyGen's response envelope, <c>{ "code": 100, "message": "success", "data": {...} }</c>, in all the shapes
/// seen in the wild: <c>code</c> as a number or a string (<c>"SUCCESS"</c>), no <c>code</c> but
/// <c>"error": null</c> (streaming.create_token), and the error bodies <c>{code,message}</c>,
/// <c>{error:{code,message}}</c>, <c>{error:"..."}</c>, <c>{detail:[{msg}]}</c> (FastAPI 422) and <c>{data:[{message}]}</c>.
/// </summary>
internal readonly record struct ResponseEnvelope(bool IsSuccess, string? Code, string? Message, JsonElement? Data)
{
    /// <summary>Parses a 2xx body. Throws <see cref="JsonException"/> when it is not a JSON object.</summary>
    public static ResponseEnvelope ParseSuccessBody(string body, ICollection<int> successCodes)
    {
        try
        {
            return ParseEnvelope(body, successCodes);
        }
        catch (InvalidOperationException ex)
        {
            // Valid JSON whose strings cannot be decoded (a lone surrogate escape): as unreadable as invalid JSON.
            throw new JsonException($"The body has a string that cannot be decoded: {ex.Message}", ex);
        }
    }

    private static ResponseEnvelope ParseEnvelope(string body, ICollection<int> successCodes)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"Expected a JSON object but the body is a JSON {root.ValueKind}.");
        }

        var code = ReadCode(root);
        var message = ReadMessage(root);
        JsonElement? data = root.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null ? d.Clone() : null;

        bool success;
        if (code is null)
        {
            // streaming.create_token answers { "error": null, "data": {...} } without a code.
            success = !root.TryGetProperty("error", out var error) || error.ValueKind == JsonValueKind.Null;
            if (!success)
            {
                (code, message) = ReadError(error, code, message);
            }
        }
        else
        {
            success = IsSuccessCode(code, successCodes);
        }

        return new ResponseEnvelope(success, code, message, data);
    }

    /// <summary>Extracts the service's error code and message from an error body, if it is JSON at all.</summary>
    public static (string? Code, string? Message) ParseErrorBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var code = ReadCode(root);
            var message = ReadMessage(root);
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                (code, message) = ReadError(error, code, message);
            }

            if (message is null && root.TryGetProperty("detail", out var detail))
            {
                message = detail.ValueKind == JsonValueKind.String ? detail.GetString() : FirstMessageIn(detail, "msg");
            }

            if (message is null && root.TryGetProperty("data", out var data))
            {
                message = FirstMessageIn(data, "message");
            }

            return (code, message);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or JSON whose strings cannot be decoded (a lone surrogate escape): no code or message.
            return (null, null);
        }
    }

    private static bool IsSuccessCode(string code, ICollection<int> successCodes)
    {
        if (int.TryParse(code, NumberStyles.Integer, CultureInfo.InvariantCulture, out var numeric))
        {
            return successCodes.Contains(numeric);
        }

        return string.Equals(code, "success", StringComparison.OrdinalIgnoreCase);
    }

    private static string? ReadCode(JsonElement obj)
    {
        if (!obj.TryGetProperty("code", out var code))
        {
            return null;
        }

        return code.ValueKind switch
        {
            JsonValueKind.Number => code.GetRawText(),
            JsonValueKind.String => code.GetString(),
            _ => null,
        };
    }

    private static string? ReadMessage(JsonElement obj) =>
        obj.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;

    private static (string? Code, string? Message) ReadError(JsonElement error, string? code, string? message) => error.ValueKind switch
    {
        JsonValueKind.String => (code, error.GetString() ?? message),
        JsonValueKind.Object => (ReadCode(error) ?? code, ReadMessage(error) ?? message),
        _ => (code, message),
    };

    private static string? FirstMessageIn(JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty(field, out var m) && m.ValueKind == JsonValueKind.String)
            {
                return m.GetString();
            }
        }

        return null;
    }
}
