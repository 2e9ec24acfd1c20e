using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;

namespace Pipeline.HeyGen.Api.Http;

/// <summary>
/// Every secret this process was given (API keys) or issued (session, LiveKit and realtime tokens), in the forms a
/// server or a library may echo it: raw, JSON-escaped (<c>\u002B</c>, either hex case), URL-encoded (either hex case,
/// <c>+</c> or <c>%20</c> for spaces) and base64 / base64url (at every byte alignment, so a secret inside a larger
/// encoded blob is found too). <see cref="SecretRedactor"/> masks any run of <see cref="RunLength"/> or more
/// characters of any of these forms.
/// </summary>
/// <remarks>
/// <para>Each form is indexed as the hashes of all its <see cref="RunLength"/>-character windows, so redacting a text
/// costs one hash lookup per character however many secrets are known. Secrets shorter than <see cref="RunLength"/>
/// (but at least <see cref="MinimumLength"/>) are matched whole, in each form.</para>
/// <para>Bounded: the oldest secrets are forgotten past <see cref="Capacity"/> (a session's tokens are useless once
/// it is closed, and the API keys are registered again by every client that uses them).</para>
/// </remarks>
internal sealed partial class SecretRegistry
{
    /// <summary>The shortest run of a secret's characters that is redacted wherever it appears.</summary>
    public const int RunLength = 12;

    /// <summary>Shorter values are not treated as secrets: they would blank out ordinary words.</summary>
    public const int MinimumLength = 6;

    /// <summary>How many secrets are remembered at most (about 4 per session: 100+ concurrent sessions). Each costs
    /// about 50 bytes per character: ~2 KB for an API key, ~70 KB for a 400-character LiveKit JWT.</summary>
    public const int Capacity = 512;

    /// <summary>Secrets up to this length are also indexed at the two shifted base64 alignments (API keys and session
    /// tokens, which a client may wrap in a larger encoded blob such as basic auth); longer ones (JWTs) only as-is.</summary>
    private const int ShiftedBase64MaxLength = 128;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _secrets = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private readonly ConcurrentDictionary<ulong, int> _windows = new();
    private volatile string[] _short = [];

    /// <summary>The registry of the whole process: what one client learned, every other redacts.</summary>
    public static SecretRegistry Shared { get; } = new();

    /// <summary>The secrets shorter than <see cref="RunLength"/>, in every form, matched whole.</summary>
    public IReadOnlyList<string> ShortForms => _short;

    /// <summary>Remembers a secret (no-op for null, short or already known values).</summary>
    public void Register(string? secret)
    {
        if (secret is null || secret.Length < MinimumLength || secret.Length > 64 * 1024)
        {
            return;
        }

        lock (_gate)
        {
            if (_secrets.TryGetValue(secret, out var known))
            {
                // Recently used: move to the young end so it is forgotten last.
                _order.Remove(known.Node);
                _order.AddLast(known.Node);
                return;
            }

            var forms = FormsOf(secret);
            var hashes = new HashSet<ulong>();
            foreach (var form in forms.Where(f => f.Length >= RunLength))
            {
                for (var i = 0; i + RunLength <= form.Length; i++)
                {
                    hashes.Add(Hash(form.AsSpan(i, RunLength)));
                }
            }

            foreach (var hash in hashes)
            {
                _windows.AddOrUpdate(hash, 1, static (_, count) => count + 1);
            }

            var shortForms = forms.Where(f => f.Length is >= MinimumLength and < RunLength).ToArray();
            _secrets[secret] = new Entry(_order.AddLast(secret), [.. hashes], shortForms);
            if (shortForms.Length > 0)
            {
                RebuildShortForms();
            }

            while (_secrets.Count > Capacity)
            {
                Forget(_order.First!.Value);
            }
        }
    }

    /// <summary>Whether the <see cref="RunLength"/> characters at <paramref name="window"/> are a run of a known secret.</summary>
    public bool IsSecretRun(ReadOnlySpan<char> window) => _windows.ContainsKey(Hash(window));

    /// <summary>Whether no secret of <see cref="RunLength"/> or more characters is known.</summary>
    public bool HasNoRuns => _windows.IsEmpty;

    /// <summary>FNV-1a over the UTF-16 code units: the same function indexes secrets and scans texts.</summary>
    internal static ulong Hash(ReadOnlySpan<char> chars)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in chars)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>The forms a secret may be echoed in (distinct, the raw form first).</summary>
    internal static List<string> FormsOf(string secret)
    {
        var forms = new List<string> { secret };
        AddWithHexCases(forms, JavaScriptEncoder.Default.Encode(secret), JsonHex());
        AddWithHexCases(forms, JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(secret), JsonHex());
        AddWithHexCases(forms, Uri.EscapeDataString(secret), UrlHex());
        AddWithHexCases(forms, WebUtility.UrlEncode(secret), UrlHex());

        // Base64 of the UTF-8 bytes, standalone (with padding) and, for a secret inside a larger blob, the characters
        // that only its bytes decide at each of the three byte alignments.
        var bytes = Encoding.UTF8.GetBytes(secret);
        var shifts = secret.Length <= ShiftedBase64MaxLength ? 3 : 1;
        for (var shift = 0; shift < shifts; shift++)
        {
            var shifted = new byte[shift + bytes.Length];
            bytes.CopyTo(shifted, shift);
            var standard = Convert.ToBase64String(shifted);
            var url = Base64Url.EncodeToString(shifted);
            if (shift == 0)
            {
                Add(forms, standard);
                Add(forms, url);
            }

            // Characters 0..shift mix in the prefix bytes; the last three may mix in whatever follows the secret.
            var skip = shift == 0 ? 0 : shift + 1;
            Add(forms, Inner(standard.TrimEnd('='), skip));
            Add(forms, Inner(url, skip));
        }

        return forms;
    }

    private static string Inner(string encoded, int skip) =>
        encoded.Length > skip + 3 ? encoded[skip..^3] : string.Empty;

    private static void AddWithHexCases(List<string> forms, string encoded, Regex hex)
    {
        Add(forms, encoded);
        Add(forms, hex.Replace(encoded, static m => m.Value.ToUpperInvariant()));
        Add(forms, hex.Replace(encoded, static m => m.Value.ToLowerInvariant()));
    }

    private static void Add(List<string> forms, string form)
    {
        if (form.Length >= MinimumLength && !forms.Contains(form))
        {
            forms.Add(form);
        }
    }

    private void Forget(string secret)
    {
        var entry = _secrets[secret];
        _secrets.Remove(secret);
        _order.Remove(entry.Node);
        foreach (var hash in entry.Hashes)
        {
            // Windows shared with other secrets stay until the last one goes.
            if (_windows.AddOrUpdate(hash, 0, static (_, count) => count - 1) <= 0)
            {
                _windows.TryRemove(hash, out _);
            }
        }

        if (entry.ShortForms.Length > 0)
        {
            RebuildShortForms();
        }
    }

    // Longest first, so a form is replaced before any shorter form it contains.
    private void RebuildShortForms() =>
        _short = [.. _secrets.Values.SelectMany(e => e.ShortForms).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length)];

    private sealed record Entry(LinkedListNode<string> Node, ulong[] Hashes, string[] ShortForms);

    [GeneratedRegex(@"\\u[0-9A-Fa-f]{4}", RegexOptions.CultureInvariant)]
    private static partial Regex JsonHex();

    [GeneratedRegex("%[0-9A-Fa-f]{2}", RegexOptions.CultureInvariant)]
    private static partial Regex UrlHex();
}
