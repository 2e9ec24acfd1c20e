using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;

namespace Pipeline.AvatarWorkers.Http;

/// <summary>
/// Keeps API keys and LiveKit tokens out of error texts and logs. A provider's error body may echo what it was sent
/// (Beyond Presence even echoes the worker's token in its success body), so every text from a provider passes here
/// before it reaches a message: known secrets are masked raw, JSON- and URL-escaped, and wherever a run of
/// <see cref="RunLength"/> of their characters appears (a truncated echo); anything shaped like a JWT, a JSON field or
/// query parameter named like a token or key, and bearer values are masked too; then the text is capped.
/// </summary>
/// <remarks>Shared source: compiled into each provider package (Beyond Presence, Tavus), internal to each.</remarks>
internal static partial class SecretText
{
    /// <summary>What a secret is replaced with: no prefix or suffix, since even a few characters help an attacker.</summary>
    public const string Mask = "***";

    /// <summary>A run of this many characters of a known secret is masked wherever it appears.</summary>
    public const int RunLength = 12;

    /// <summary>Shorter values are not treated as secrets: masking them would blank out ordinary words.</summary>
    public const int MinimumSecretLength = 6;

    /// <summary>Masks <paramref name="secrets"/> and anything token-like in <paramref name="text"/>, then cuts it to
    /// <paramref name="maxLength"/> characters.</summary>
    public static string Redact(string? text, IEnumerable<string?> secrets, int maxLength = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        foreach (string? secret in secrets)
        {
            if (secret is null || secret.Length < MinimumSecretLength)
            {
                continue;
            }

            foreach (string form in FormsOf(secret))
            {
                text = text.Replace(form, Mask, StringComparison.Ordinal);
            }

            text = MaskRuns(text, secret);
        }

        text = Jwt().Replace(text, Mask);
        text = JsonSecretField().Replace(text, "$1" + Mask + "\"");
        text = QuerySecret().Replace(text, "$1" + Mask);
        text = BearerValue().Replace(text, "$1" + Mask);
        return Cap(text, maxLength);
    }

    /// <summary>Cuts text to <paramref name="maxLength"/> characters, saying how much was cut.</summary>
    public static string Cap(string text, int maxLength) =>
        text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength), $"…[{text.Length - maxLength} more characters]");

    private static IEnumerable<string> FormsOf(string secret)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal)
        {
            secret,
            JavaScriptEncoder.Default.Encode(secret),
            JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(secret),
            Uri.EscapeDataString(secret),
        };

        // Longest first, so a form is replaced before a shorter one it contains.
        return forms.OrderByDescending(f => f.Length);
    }

    /// <summary>Masks every stretch of <paramref name="text"/> covered by <see cref="RunLength"/>-character windows of
    /// <paramref name="secret"/> (a provider that quotes the first 20 characters of a key still leaks them).</summary>
    private static string MaskRuns(string text, string secret)
    {
        if (secret.Length < RunLength || text.Length < RunLength)
        {
            return text;
        }

        bool[]? covered = null;
        for (int start = 0; start + RunLength <= secret.Length; start++)
        {
            ReadOnlySpan<char> window = secret.AsSpan(start, RunLength);
            int from = 0;
            int at;
            while (from <= text.Length - RunLength && (at = text.AsSpan(from).IndexOf(window, StringComparison.Ordinal)) >= 0)
            {
                covered ??= new bool[text.Length];
                covered.AsSpan(from + at, RunLength).Fill(true);
                from += at + 1;
            }
        }

        if (covered is null)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (!covered[i])
            {
                result.Append(text[i]);
            }
            else if (i == 0 || !covered[i - 1])
            {
                result.Append(Mask);
            }
        }

        return result.ToString();
    }

    // A JWT (a LiveKit access token): base64url header starting {" , payload, signature.
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    // "livekit_token": "...", "token":"...", "livekit_room_token": "...", "x-api-key": "...", "api_key": "..."
    [GeneratedRegex("(\"(?:[a-z_]*token|x-api-key|api_key|apikey|secret)\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*\"", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonSecretField();

    // ?token=...&api_key=...
    [GeneratedRegex("((?:^|[?&;\\s])(?:[a-z_]*token|api_key|apikey)=)[^&\\s\"'#]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuerySecret();

    [GeneratedRegex(@"(Bearer\s+)[A-Za-z0-9._~+/=-]+", RegexOptions.CultureInvariant)]
    private static partial Regex BearerValue();
}
