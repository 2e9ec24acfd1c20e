namespace HeyGenAvatarBot;

/// <summary>
/// The Beyond Presence side of <c>--avatar bey</c>: the API key (<c>--api-key</c> or <c>BEY_API_KEY</c>) and, rarely,
/// another API address (<c>BEY_API_URL</c>). No key runs the emulated worker offline. A class, not a record, so the key
/// never appears in a ToString.
/// </summary>
internal sealed class BeyondPresenceSettings
{
    public const string KeyVariable = "BEY_API_KEY";
    public const string UrlVariable = "BEY_API_URL";

    /// <summary>The worker's identity in the room (Beyond Presence's own default, as in LiveKit Agents' plugin).</summary>
    public const string WorkerIdentity = "bey-avatar-agent";

    /// <summary>The key; null for an offline run. Never printed.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The API's address when not Beyond Presence's default.</summary>
    public string? ApiUrl { get; init; }

    /// <summary>Reads the settings: <paramref name="apiKey"/> (from <c>--api-key</c>) first, then the environment.</summary>
    public static BeyondPresenceSettings FromEnvironment(string? apiKey, Func<string, string?> environment) => new()
    {
        ApiKey = NullIfEmpty(apiKey) ?? NullIfEmpty(environment(KeyVariable)),
        ApiUrl = NullIfEmpty(environment(UrlVariable)),
    };

    /// <summary>What is wrong with the settings, each with what to do.</summary>
    public IEnumerable<string> Problems()
    {
        if (ApiUrl is not null && (!Uri.TryCreate(ApiUrl, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https")))
        {
            yield return $"{UrlVariable} must be an absolute https:// URL (it is '{ApiUrl}'); unset it for Beyond Presence's own API.";
        }
    }

    /// <summary>Whether a key was given, never the key.</summary>
    public override string ToString() => $"Beyond Presence ({(ApiKey is null ? "offline: emulated worker" : "API key set")}{(ApiUrl is null ? string.Empty : $", API {ApiUrl}")})";

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
