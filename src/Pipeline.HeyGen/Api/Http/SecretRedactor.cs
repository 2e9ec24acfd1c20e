using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipeline.HeyGen.Api.Http;

/// <summary>
/// Keeps API keys and tokens out of logs and exception messages: masks every secret the process was given or issued
/// (<see cref="SecretRegistry"/>: any run of 12 or more characters of one, raw or JSON-, URL- or base64-encoded), any
/// JSON field or URL query parameter whose name ends in <c>token</c> or names a key, and bearer values; then caps the
/// length.
/// </summary>
internal static partial class SecretRedactor
{
    internal const string Redacted = "***";

    private const int CapMargin = 4096;

    /// <summary>Masks a secret completely (no prefix: even a few characters of a short token help an attacker).</summary>
    public static string Mask(string? secret) => secret is null ? "null" : Redacted;

    /// <summary>Removes token-like query parameters from a URL.</summary>
    public static string RedactUrl(string? url) => url is null ? "null" : QueryToken().Replace(url, "$1" + Redacted);

    /// <summary>Redacts <paramref name="text"/> and cuts it to <paramref name="maxLength"/> characters.</summary>
    /// <param name="text">The text to clean.</param>
    /// <param name="knownSecrets">Secrets of the caller, registered in <see cref="SecretRegistry.Shared"/> (so every
    /// later text of the process is cleaned of them too) before the text is cleaned.</param>
    /// <param name="maxLength">The longest result, in characters.</param>
    public static string Redact(string? text, IEnumerable<string?> knownSecrets, int maxLength = int.MaxValue)
    {
        var registry = SecretRegistry.Shared;
        foreach (var secret in knownSecrets)
        {
            registry.Register(secret);
        }

        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        // Bounded work on huge bodies; the margin lets the field patterns below still see a cut-off field whole.
        if (maxLength < int.MaxValue - CapMargin && text.Length > maxLength + CapMargin)
        {
            text = text[..(maxLength + CapMargin)];
        }

        text = RedactRuns(text, registry);
        foreach (var form in registry.ShortForms)
        {
            text = text.Replace(form, Redacted, StringComparison.Ordinal);
        }

        text = JsonSecretField().Replace(text, "$1" + Redacted + "\"");
        text = QueryToken().Replace(text, "$1" + Redacted);
        text = BearerValue().Replace(text, "$1" + Redacted);
        return Cap(text, maxLength);
    }

    /// <summary>Replaces every stretch of text covered by runs of known secrets with one <see cref="Redacted"/>.</summary>
    private static string RedactRuns(string text, SecretRegistry registry)
    {
        const int Run = SecretRegistry.RunLength;
        if (text.Length < Run || registry.HasNoRuns)
        {
            return text;
        }

        // covered[i]: position i lies inside a window that is a run of a known secret.
        bool[]? covered = null;
        for (var i = 0; i + Run <= text.Length; i++)
        {
            if (registry.IsSecretRun(text.AsSpan(i, Run)))
            {
                covered ??= new bool[text.Length];
                covered.AsSpan(i, Run).Fill(true);
            }
        }

        if (covered is null)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (!covered[i])
            {
                result.Append(text[i]);
            }
            else if (i == 0 || !covered[i - 1])
            {
                result.Append(Redacted);
            }
        }

        return result.ToString();
    }

    /// <summary>
    /// Registers the secrets a service issued in an answer: string fields whose name ends in <c>token</c> or names a
    /// key, and token query parameters of URL fields (a realtime endpoint carries its token in the query).
    /// </summary>
    /// <param name="data">The answer's JSON.</param>
    public static void RegisterSecretsIn(JsonElement data)
    {
        try
        {
            RegisterSecretsIn(data, depth: 0);
        }
        catch (InvalidOperationException)
        {
            // An undecodable property name (lone surrogate): the tokens before it are registered; the parser that
            // reads the answer reports the bad JSON.
        }
    }

    private static void RegisterSecretsIn(JsonElement element, int depth)
    {
        if (depth > 16)
        {
            return;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        if (!TryGetString(property.Value, out var value))
                        {
                            continue;
                        }

                        if (SecretFieldName().IsMatch(property.Name))
                        {
                            SecretRegistry.Shared.Register(value);
                        }

                        RegisterQueryTokens(value);
                    }
                    else
                    {
                        RegisterSecretsIn(property.Value, depth + 1);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    RegisterSecretsIn(item, depth + 1);
                }

                break;
        }
    }

    // A string with a lone surrogate escape cannot be decoded; it is no token we issued, and the parser reports it.
    private static bool TryGetString(JsonElement element, out string? value)
    {
        try
        {
            value = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    /// <summary>Registers the values of token query parameters in a URL (or any text).</summary>
    /// <param name="text">The URL.</param>
    public static void RegisterQueryTokens(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Contains('='))
        {
            return;
        }

        foreach (Match match in QueryToken().Matches(text))
        {
            var value = text.Substring(match.Index + match.Groups[1].Length, match.Length - match.Groups[1].Length);
            SecretRegistry.Shared.Register(value);
            SecretRegistry.Shared.Register(Uri.UnescapeDataString(value));
        }
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

    [GeneratedRegex("^(?:[a-z_]*token|x-api-key|api_key|apikey|secret|password)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretFieldName();

    // "access_token": "...", "session_token":"...", "livekit_agent_token": "...", "token": "...", "x-api-key": "..."
    [GeneratedRegex("(\"(?:[a-z_]*token|x-api-key|api_key|apikey)\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*\"", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonSecretField();

    // ?session_token=...&token=...
    [GeneratedRegex("((?:^|[?&;\\s])(?:[a-z_]*token|api_key|apikey)=)[^&\\s\"'#]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QueryToken();

    [GeneratedRegex("(Bearer\\s+)[A-Za-z0-9._~+/=-]+", RegexOptions.CultureInvariant)]
    private static partial Regex BearerValue();
}
