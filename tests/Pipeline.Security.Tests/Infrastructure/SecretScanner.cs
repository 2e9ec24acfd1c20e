using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using Pipeline.Core.Frames;

namespace Pipeline.Security.Tests.Infrastructure;

/// <summary>Collects every text a run could show to a person (logs, errors, exceptions) and finds secrets in it.</summary>
internal sealed class SecretScanner
{
    private readonly List<(string Where, string Text)> _texts = [];

    public int TextCount => _texts.Count;

    public void Add(string where, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            _texts.Add((where, text));
        }
    }

    public void AddLogs(CapturingLoggerProvider logs)
    {
        foreach (CapturedLog line in logs.Lines)
        {
            Add($"log [{line.Level}] {line.Category}", line.FullText);
        }
    }

    public void AddErrors(IEnumerable<ErrorFrame> errors)
    {
        foreach (ErrorFrame error in errors)
        {
            Add("ErrorFrame", $"{error.Message} {error} {error.Exception}");
        }
    }

    public void AddException(string where, Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            Add(where, e.Message);
            if (e is Pipeline.HeyGen.Api.HeyGenApiException api)
            {
                Add(where + " ResponseText", api.ResponseText);
            }
        }

        Add(where, exception?.ToString());
    }

    /// <summary>The shortest run of a secret's characters that counts as a leak.</summary>
    public const int RunLength = 12;

    /// <summary>
    /// Every (where, secret form) pair found: each secret raw, JSON-escaped (as System.Text.Json writes it, <c>+</c> as
    /// <c>\u002B</c>), URL-encoded (both styles), base64 and base64url, and any run of <see cref="RunLength"/> of its
    /// characters. Hex digits match in either case.
    /// </summary>
    public IReadOnlyList<string> Find(IEnumerable<string> secrets)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (string secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            forms.Add(secret);
            forms.Add(JavaScriptEncoder.Default.Encode(secret));
            forms.Add(Uri.EscapeDataString(secret));
            forms.Add(WebUtility.UrlEncode(secret));
            forms.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)));
            forms.Add(Base64Url.EncodeToString(Encoding.UTF8.GetBytes(secret)));
            for (int i = 0; i + RunLength < secret.Length; i++)
            {
                forms.Add(secret.Substring(i, RunLength));
            }
        }

        return [.. from t in _texts from f in forms where t.Text.Contains(f, StringComparison.OrdinalIgnoreCase) select $"{t.Where}: contains '{f}' in: {Excerpt(t.Text, f)}"];
    }

    /// <summary>Fails listing every place a secret was found (one line each, where and what).</summary>
    public void AssertClean(IEnumerable<string> secrets) =>
        string.Join(Environment.NewLine, Find(secrets).Select(f => f.Length > 400 ? f[..400] + "…" : f)).Should().BeEmpty();

    private static string Excerpt(string text, string secret)
    {
        int at = text.IndexOf(secret, StringComparison.OrdinalIgnoreCase);
        int from = Math.Max(0, at - 120);
        return text.Substring(from, Math.Min(text.Length - from, secret.Length + 240));
    }
}
