using System.Text.Json;

namespace Pipeline.AvatarWorkers.Http;

/// <summary>
/// The human-readable part of a provider's error body: FastAPI's <c>{"detail": "..."}</c> or
/// <c>{"detail": [{"loc": [...], "msg": "..."}]}</c> (Beyond Presence), <c>{"error": "..."}</c> or
/// <c>{"message": "..."}</c> (Tavus), else the raw text. Always redacted and capped before use.
/// </summary>
internal static class ProviderErrorText
{
    /// <summary>The longest provider text an error message quotes, in characters.</summary>
    public const int MaxLength = 300;

    private const int MaxInputLength = 16 * 1024;

    /// <summary>The provider's explanation in <paramref name="body"/>, redacted of <paramref name="secrets"/> and
    /// anything token-like; <see langword="null"/> when the body says nothing.</summary>
    public static string? Extract(string? body, IEnumerable<string?> secrets)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        // Bounded work on a huge body: only the first MaxLength characters are ever shown, and redaction never
        // lengthens text by more than it masks, so what lies past the bound cannot reach the message.
        if (body.Length > MaxInputLength)
        {
            body = body[..MaxInputLength];
        }

        string text = TryReadJson(body) ?? body.Trim();
        string redacted = SecretText.Redact(text, secrets, MaxLength);
        return redacted.Length == 0 ? null : redacted;
    }

    private static string? TryReadJson(string body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (string name in (ReadOnlySpan<string>)["detail", "error", "message"])
            {
                if (root.TryGetProperty(name, out JsonElement value) && Describe(value) is { Length: > 0 } text)
                {
                    return text;
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Array => string.Join("; ", value.EnumerateArray().Select(DescribeItem).Where(s => s.Length > 0)),
        JsonValueKind.Object when value.TryGetProperty("message", out JsonElement message) => Describe(message),
        _ => null,
    };

    // FastAPI validation item: {"loc": ["body", "avatar_id"], "msg": "field required", "type": "..."} -> "avatar_id: field required".
    private static string DescribeItem(JsonElement item)
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return item.GetString() ?? string.Empty;
        }

        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("msg", out JsonElement msg) || msg.ValueKind != JsonValueKind.String)
        {
            return string.Empty;
        }

        string where = item.TryGetProperty("loc", out JsonElement loc) && loc.ValueKind == JsonValueKind.Array
            ? string.Join('.', loc.EnumerateArray().Where(p => p.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                .Select(p => p.ToString()).Where(p => p != "body"))
            : string.Empty;
        return where.Length > 0 ? $"{where}: {msg.GetString()}" : msg.GetString() ?? string.Empty;
    }
}
