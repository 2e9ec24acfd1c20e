namespace HeyGenAvatarBot;

/// <summary>
/// Which HeyGen product and key a run uses. LiveAvatar is HeyGen's current product and the default: its key comes
/// from <c>--api-key</c> or <c>LIVEAVATAR_API_KEY</c>. The Interactive Avatar streaming API (being replaced) is chosen
/// with <c>--interactive</c>, or when only <c>HEYGEN_API_KEY</c> is set. No key at all runs offline on the emulator.
/// </summary>
/// <param name="ApiKey">The key; null for an offline run.</param>
/// <param name="LiveAvatar">True for LiveAvatar, false for the Interactive Avatar API.</param>
internal sealed record ProductChoice(string? ApiKey, bool LiveAvatar)
{
    public const string LiveAvatarKeyVariable = "LIVEAVATAR_API_KEY";
    public const string InteractiveKeyVariable = "HEYGEN_API_KEY";

    /// <summary>Decides from the command line and the environment.</summary>
    /// <param name="apiKey">The <c>--api-key</c> value, if given.</param>
    /// <param name="interactive">Whether <c>--interactive</c> was given.</param>
    /// <param name="liveAvatar">Whether <c>--live-avatar</c> was given (the default anyway; wins over the
    /// environment's <c>HEYGEN_API_KEY</c>).</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <returns>The choice.</returns>
    /// <exception cref="ArgumentException">Both <c>--interactive</c> and <c>--live-avatar</c> were given.</exception>
    public static ProductChoice Decide(string? apiKey, bool interactive, bool liveAvatar, Func<string, string?> environment)
    {
        if (interactive && liveAvatar)
        {
            throw new ArgumentException("Choose one product: --live-avatar (the default) or --interactive.");
        }

        string? liveKey = NullIfEmpty(environment(LiveAvatarKeyVariable));
        string? interactiveKey = NullIfEmpty(environment(InteractiveKeyVariable));
        if (NullIfEmpty(apiKey) is { } given)
        {
            return new ProductChoice(given, !interactive);
        }

        if (interactive)
        {
            return new ProductChoice(interactiveKey, LiveAvatar: false);
        }

        if (liveKey is not null || liveAvatar)
        {
            return new ProductChoice(liveKey, LiveAvatar: true);
        }

        // Only the older product's key: the user means the Interactive Avatar API. No key: offline, LiveAvatar.
        return interactiveKey is not null ? new ProductChoice(interactiveKey, LiveAvatar: false) : new ProductChoice(null, LiveAvatar: true);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
