namespace Pipeline.Tavus;

/// <summary>Settings of <see cref="TavusApi"/> and <see cref="TavusDispatcher"/>.</summary>
/// <remarks>The properties have <c>set</c> accessors (not <c>init</c>) because configuration binding
/// (<c>AddTavus(configuration.GetSection("Tavus"))</c>) and <c>Configure</c> callbacks set them after construction; the
/// rules are checked once, when a client is built or the host starts (<c>ValidateOnStart</c>), and a failure names the
/// setting to fix, never the key's value.</remarks>
public sealed class TavusOptions
{
    /// <summary>Tavus's production API, <c>https://tavusapi.com/v2</c>.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://tavusapi.com/v2");

    /// <summary>The identity Tavus's replica joins the room with unless told otherwise (LiveKit's plugin's default).</summary>
    public const string DefaultWorkerIdentity = "tavus-avatar-agent";

    /// <summary>The environment variable <see cref="FromEnvironment"/> reads the API key from.</summary>
    public const string ApiKeyVariable = "TAVUS_API_KEY";

    /// <summary>The sample rate, in Hz, LiveKit's plugin streams the agent's speech to a Tavus replica at.</summary>
    public const int RecommendedSampleRate = 24_000;

    /// <summary>The API key, sent in the <c>x-api-key</c> header. Required (conventionally from <c>TAVUS_API_KEY</c>);
    /// never logged or quoted.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>The persona of the conversation. Required: for LiveKit's avatar-worker protocol it must have
    /// <c>pipeline_mode</c> <c>echo</c> and a <c>transport</c> layer with <c>transport_type</c> <c>livekit</c>.</summary>
    public string PersonaId { get; set; } = string.Empty;

    /// <summary>The replica (face and voice) to render; <see langword="null"/> or empty for the persona's default replica.</summary>
    public string? ReplicaId { get; set; }

    /// <summary>The API root including the version segment. Default <see cref="DefaultBaseUrl"/>; point it at a local
    /// Tavus-compatible emulator in tests.</summary>
    public Uri BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>The participant identity of the replica in the room (the token the session mints names it). Default
    /// <see cref="DefaultWorkerIdentity"/>.</summary>
    public string WorkerIdentity { get; set; } = DefaultWorkerIdentity;

    /// <summary>How long one HTTP attempt (send and read the answer) may take. Default 10 s; 100 ms to 5 minutes, or
    /// <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt. Ending a conversation is retried on every transient failure (no
    /// answer, HTTP 408, 429, 5xx: Tavus bills until it ends); creating one only when Tavus certainly did not act (no
    /// connection, HTTP 429), since a repeat after a timeout or a 5xx could open a second billed conversation. A 4xx is
    /// never retried. Default 3, range 0–10.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The delay before the first retry; later retries double it. Default 1 s, range 0–1 minute.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between retries, and the longest <c>Retry-After</c> honoured. Default 10 s; at least
    /// <see cref="RetryBaseDelay"/>, at most 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Options from the environment: <c>TAVUS_API_KEY</c>, <c>TAVUS_PERSONA_ID</c>, <c>TAVUS_REPLICA_ID</c>
    /// and <c>TAVUS_API_URL</c> when set; the defaults otherwise.</summary>
    public static TavusOptions FromEnvironment()
    {
        var options = new TavusOptions
        {
            ApiKey = Environment.GetEnvironmentVariable(ApiKeyVariable) ?? string.Empty,
            PersonaId = Environment.GetEnvironmentVariable("TAVUS_PERSONA_ID") ?? string.Empty,
            ReplicaId = Environment.GetEnvironmentVariable("TAVUS_REPLICA_ID") is { Length: > 0 } replica ? replica : null,
        };
        if (Environment.GetEnvironmentVariable("TAVUS_API_URL") is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out Uri? baseUrl))
        {
            options.BaseUrl = baseUrl;
        }

        return options;
    }

    /// <summary>Checks the settings; the first bad one throws with what to set. Never quotes the key.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    internal void Validate()
    {
        const string Name = nameof(TavusOptions);
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException($"A Tavus API key is required: set {Name}.{nameof(ApiKey)} (e.g. from the {ApiKeyVariable} environment variable).", nameof(ApiKey));
        }

        if (ApiKey.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException(
                $"{Name}.{nameof(ApiKey)} contains whitespace or control characters, which an HTTP header cannot carry: check {ApiKeyVariable} for a stray newline or space.",
                nameof(ApiKey));
        }

        if (string.IsNullOrWhiteSpace(PersonaId))
        {
            throw new ArgumentException(
                $"A Tavus persona is required: set {Name}.{nameof(PersonaId)} (e.g. from TAVUS_PERSONA_ID) to a persona with pipeline_mode 'echo' and a 'livekit' transport layer.",
                nameof(PersonaId));
        }

        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{Name}.{nameof(BaseUrl)} must be an absolute http(s) URL such as {DefaultBaseUrl}.", nameof(BaseUrl));
        }

        if (string.IsNullOrWhiteSpace(WorkerIdentity))
        {
            throw new ArgumentException($"{Name}.{nameof(WorkerIdentity)} is empty: set the replica's participant identity, or leave the default ({DefaultWorkerIdentity}).",
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
