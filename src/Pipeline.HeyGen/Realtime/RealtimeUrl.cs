using System.Text;

namespace Pipeline.HeyGen.Realtime;

/// <summary>Makes realtime endpoint URLs safe to log.</summary>
internal static class RealtimeUrl
{
    /// <summary>
    /// The URL with the value of every query parameter that carries a secret (<c>token</c>, <c>*_token</c>,
    /// <c>key</c>, <c>*_key</c>, <c>signature</c>) replaced by <c>***</c>; user info is dropped too.
    /// </summary>
    public static string Redact(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri) return "(relative url)";
        var text = new StringBuilder();
        text.Append(uri.Scheme).Append("://").Append(uri.Host);
        if (!uri.IsDefaultPort) text.Append(':').Append(uri.Port);
        text.Append(uri.AbsolutePath);
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0) return text.ToString();
        var separator = '?';
        foreach (var pair in query.Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            text.Append(separator).Append(name);
            if (equals >= 0) text.Append('=').Append(IsSecret(Uri.UnescapeDataString(name)) ? "***" : pair[(equals + 1)..]);
            separator = '&';
        }

        return text.ToString();
    }

    internal static bool IsSecret(string name) =>
        name.Equals("token", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("_token", StringComparison.OrdinalIgnoreCase)
        || name.Equals("key", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("_key", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("-key", StringComparison.OrdinalIgnoreCase)
        || name.Equals("signature", StringComparison.OrdinalIgnoreCase);
}
