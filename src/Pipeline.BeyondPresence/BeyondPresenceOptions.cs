namespace Pipeline.BeyondPresence;

/// <summary>Settings of <see cref="BeyondPresenceApi"/> and <see cref="BeyondPresenceDispatcher"/>.</summary>
/// <remarks>The properties have <c>set</c> accessors (not <c>init</c>) because configuration binding
/// (<c>AddBeyondPresence(configuration.GetSection("BeyondPresence"))</c>) and <c>Configure</c> callbacks set them after
/// construction; the rules are checked once, when a client is built or the host starts (<c>ValidateOnStart</c>), and a
/// failure names the setting to fix, never the key's value.</remarks>
public sealed class BeyondPresenceOptions
{
    /// <summary>Beyond Presence's production API, <c>https://api.bey.dev</c>.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.bey.dev");

    /// <summary>Beyond Presence's stock avatar (the one LiveKit's plugin uses when none is given).</summary>
    public const string StockAvatarId = "b9be11b8-89fb-4227-8f86-4a881393cbdb";

    /// <summary>The identity Beyond Presence's worker joins the room with unless told otherwise.</summary>
    public const string DefaultWorkerIdentity = "bey-avatar-agent";

    /// <summary>The environment variable <see cref="FromEnvironment"/> reads the API key from.</summary>
    public const string ApiKeyVariable = "BEY_API_KEY";

    /// <summary>The API key, sent in the <c>x-api-key</c> header. Required (conventionally from <c>BEY_API_KEY</c>);
    /// never logged or quoted.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>The avatar the worker renders (a Beyond Presence avatar id). Default <see cref="StockAvatarId"/>.</summary>
    public string AvatarId { get; set; } = StockAvatarId;

    /// <summary>The API root (no version segment). Default <see cref="DefaultBaseUrl"/>; point it at a local
    /// Beyond-Presence-compatible emulator in tests.</summary>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The participant identity of the worker in the room (the token the session mints names it). Default
    /// <see cref="DefaultWorkerIdentity"/>.</summary>
    public string WorkerIdentity { get; set; } = DefaultWorkerIdentity;

    /// <summary>How long one HTTP attempt (send and read the answer) may take before it counts as a transient failure.
    /// Default 10 s; 100 ms to 5 minutes, or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, for transient failures only (no answer, HTTP 408, 429, 5xx); a 4xx is
    /// never retried. Default 3, range 0–10.</summary>
    /// <remarks>Retrying the session creation cannot leave two workers in the room: both would join with the same
    /// identity, and LiveKit disconnects the older participant when a second one joins under its identity.</remarks>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The delay before the first retry; later retries double it. Default 1 s, range 0–1 minute.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between retries, and the longest <c>Retry-After</c> honoured (a longer one gives up
    /// with the provider's error). Default 10 s; at least <see cref="RetryBaseDelay"/>, at most 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Options from the environment: the key from <c>BEY_API_KEY</c>, the avatar from <c>BEY_AVATAR_ID</c>
    /// and the API root from <c>BEY_API_URL</c> when set (the names LiveKit's plugin reads); the defaults otherwise.</summary>
    public static BeyondPresenceOptions FromEnvironment()
    {
        var options = new BeyondPresenceOptions { ApiKey = Environment.GetEnvironmentVariable(ApiKeyVariable) ?? string.Empty };
        if (Environment.GetEnvironmentVariable("BEY_AVATAR_ID") is { Length: > 0 } avatar)
        {
            options.AvatarId = avatar;
        }

        if (Environment.GetEnvironmentVariable("BEY_API_URL") is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out Uri? baseUrl))
        {
            options.BaseUrl = baseUrl;
        }

        return options;
    }

    /// <summary>Checks the settings; the first bad one throws with what to set. Never quotes the key.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    internal void Validate()
    {
        const string Name = nameof(BeyondPresenceOptions);
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException(
                $"A Beyond Presence API key is required: set {Name}.{nameof(ApiKey)} (e.g. from the {ApiKeyVariable} environment variable).", nameof(ApiKey));
        }

        if (ApiKey.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException(
                $"{Name}.{nameof(ApiKey)} contains whitespace or control characters, which an HTTP header cannot carry: check {ApiKeyVariable} for a stray newline or space.",
                nameof(ApiKey));
        }

        if (string.IsNullOrWhiteSpace(AvatarId))
        {
            throw new ArgumentException($"{Name}.{nameof(AvatarId)} is empty: set a Beyond Presence avatar id, or leave the default ({StockAvatarId}).", nameof(AvatarId));
        }

        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{Name}.{nameof(BaseUrl)} must be an absolute http(s) URL such as {DefaultBaseUrl}.", nameof(BaseUrl));
        }

        if (string.IsNullOrWhiteSpace(WorkerIdentity))
        {
            throw new ArgumentException($"{Name}.{nameof(WorkerIdentity)} is empty: set the worker's participant identity, or leave the default ({DefaultWorkerIdentity}).",
                nameof(WorkerIdentity));
        }

        if (RequestTimeout != Timeout.InfiniteTimeSpan && (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromMinutes(5)))
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout,
                $"{Name}.{nameof(RequestTimeout)} must be between 100 ms and 5 minutes, or Timeout.InfiniteTimeSpan.");
        }

        if (MaxRetryAttempts is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryAttempts), MaxRetryAttempts, $"{Name}.{nameof(MaxRetryAttempts)} must be between 0 and 10.");
        }

        if (RetryBaseDelay < TimeSpan.Zero || RetryBaseDelay > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(RetryBaseDelay), RetryBaseDelay, $"{Name}.{nameof(RetryBaseDelay)} must be between 0 and 1 minute.");
        }

        if (MaxRetryDelay < RetryBaseDelay || MaxRetryDelay > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryDelay), MaxRetryDelay,
                $"{Name}.{nameof(MaxRetryDelay)} must be at least {nameof(RetryBaseDelay)} and at most 5 minutes.");
        }
    }
}
