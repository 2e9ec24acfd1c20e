using System.Text.RegularExpressions;

namespace Pipeline.HeyGen.Api.Http;

/// <summary>
/// Keeps API keys and tokens out of logs and exception messages: replaces the known secrets of a call, any JSON
/// field or URL query parameter whose name ends in <c>token</c> or names a key, and caps the length.
/// </summary>
internal static partial class SecretRedactor
{
    internal const string Redacted = "***";

    /// <summary>Masks a secret completely (no prefix: even a few characters of a short token help an attacker).</summary>
    public static string Mask(string? secret) => secret is null ? "null" : Redacted;

    /// <summary>Removes token-like query parameters from a URL.</summary>
    public static string RedactUrl(string? url) => url is null ? "null" : QueryToken().Replace(url, "$1" + Redacted);

    /// <summary>Redacts <paramref name="text"/> and cuts it to <paramref name="maxLength"/> characters.</summary>
    public static string Redact(string? text, IEnumerable<string?> knownSecrets, int maxLength = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        foreach (var secret in knownSecrets)
        {
            // Very short values would blank out ordinary words; real keys and tokens are long.
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 6)
            {
                text = text.Replace(secret, Redacted, StringComparison.Ordinal);
            }
        }

        text = JsonSecretField().Replace(text, "$1" + Redacted + "\"");
        text = QueryToken().Replace(text, "$1" + Redacted);
        text = BearerValue().Replace(text, "$1" + Redacted);
        return Cap(text, maxLength);
    }

    /// <summary>Cuts text to <paramref name="maxLength"/> characters, saying how much was cut.</summary>
    public static string Cap(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        return string.Concat(text.AsSpan(0, maxLength), $"…[{text.Length - maxLength} more characters]");
    }

    // "access_token": "...", "session_token":"...", "livekit_agent_token": "...", "token": "...", "x-api-key": "..."
    [GeneratedRegex("(\"(?:[a-z_]*token|x-api-key|api_key|apikey)\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*\"", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonSecretField();

    // ?session_token=...&token=...
    [GeneratedRegex("((?:^|[?&;\\s])(?:[a-z_]*token|api_key|apikey)=)[^&\\s\"'#]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QueryToken();

    [GeneratedRegex("(Bearer\\s+)[A-Za-z0-9._~+/=-]+", RegexOptions.CultureInvariant)]
    private static partial Regex BearerValue();
}
