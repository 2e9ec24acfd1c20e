using System.Text.RegularExpressions;

namespace Pipeline.AI;

/// <summary>
/// Keeps credentials out of provider error texts before they are logged or become <see cref="Pipeline.Core.Frames.ErrorFrame"/>s:
/// provider exceptions may quote a request URL (some APIs take the key as a query parameter), an authorization header
/// or a JSON body. Replaces key- and token-like query parameters, JSON fields, bearer values and <c>sk-</c> style keys.
/// </summary>
internal static partial class ProviderMessageRedactor
{
    private const string Redacted = "***";

    public static string Redact(string text)
    {
        text = QueryParameter().Replace(text, "$1" + Redacted);
        text = JsonField().Replace(text, "$1" + Redacted + "\"");
        text = BearerValue().Replace(text, "$1" + Redacted);
        return SecretKey().Replace(text, Redacted);
    }

    // ?key=...&api-key=...&access_token=...&sig=...
    [GeneratedRegex(@"((?:^|[?&;\s])(?:key|api[-_]?key|[a-z_]*token|secret|sig|signature|password)=)[^&\s""'#]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QueryParameter();

    // "api_key": "...", "access_token":"...", "authorization": "..."
    [GeneratedRegex(@"(""(?:[a-z_-]*token|[a-z_-]*key|secret|password|authorization)""\s*:\s*"")(?:[^""\\]|\\.)*""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonField();

    [GeneratedRegex(@"((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BearerValue();

    // OpenAI-style keys (sk-..., sk-proj-...) quoted in "Incorrect API key provided: sk-..." messages.
    [GeneratedRegex(@"\bsk-[A-Za-z0-9_*-]{8,}", RegexOptions.CultureInvariant)]
    private static partial Regex SecretKey();
}
