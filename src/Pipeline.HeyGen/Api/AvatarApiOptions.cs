namespace Pipeline.HeyGen.Api;

/// <summary>Settings shared by the HeyGen and LiveAvatar REST clients.</summary>
/// <remarks>The properties have <c>set</c> accessors (not <c>init</c>) because configuration binding
/// (<c>AddHeyGenApi(configuration.GetSection(...))</c>) and <c>Configure</c> callbacks set them after construction; the
/// rules are checked once, by <see cref="Validate"/>, when a client is built or the host starts.</remarks>
public abstract class AvatarApiOptions
{
    /// <summary>The API key, sent in the <c>x-api-key</c> header. Required; never logged.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>The API base URL including the version segment, for example <c>https://api.heygen.com/v1</c>.
    /// Point it at the local emulator in tests.</summary>
    public Uri BaseUrl { get; set; }

    /// <summary>How long one HTTP attempt (send plus reading the body) may take before it counts as a timeout.
    /// Default 10 s; <see cref="Timeout.InfiniteTimeSpan"/> disables the per-attempt timeout.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long closing a half-opened session (after a failed or cancelled start) may take, and how long a
    /// creating call (<c>streaming.new</c>, <c>sessions/token</c>) that timed out or was cancelled is still awaited
    /// so the session it may have opened can be stopped. Default 10 s.</summary>
    public TimeSpan CleanupTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stop (<c>streaming.stop</c>, <c>sessions/stop</c>) keeps being retried, with backoff, on
    /// transient failures before the failure is reported (a session that is not stopped stays billed). The caller's
    /// cancellation token can end it sooner. Default 30 s; ignored when <see cref="AvatarApiRetryOptions.MaxRetryAttempts"/>
    /// is 0 (no retries at all).</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of transient failures on the calls that cannot open a second session.</summary>
    public AvatarApiRetryOptions Retry { get; } = new();

    /// <summary>The longest response body, in characters, that an exception quotes. Default 2048.</summary>
    public int MaxErrorBodyLength { get; set; } = 2048;

    /// <summary>The envelope <c>code</c> values that mean success. A 2xx response with any other code is an error.
    /// A string code that reads <c>success</c> (any case) also counts as success.</summary>
    public IList<int> SuccessCodes { get; } = new List<int>();

    /// <summary>Creates options with the service's default base URL.</summary>
    /// <param name="defaultBaseUrl">The production base URL.</param>
    /// <param name="successCodes">The default success codes.</param>
    protected AvatarApiOptions(Uri defaultBaseUrl, params int[] successCodes)
    {
        BaseUrl = defaultBaseUrl;
        foreach (var code in successCodes)
        {
            SuccessCodes.Add(code);
        }
    }

    /// <summary>Checks the settings and throws a clear exception for the first bad one.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public virtual void Validate()
    {
        var name = GetType().Name;
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException($"An API key is required: set {name}.{nameof(ApiKey)}.", nameof(ApiKey));
        }

        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{name}.{nameof(BaseUrl)} must be an absolute http(s) URL.", nameof(BaseUrl));
        }

        if (AttemptTimeout != Timeout.InfiniteTimeSpan && (AttemptTimeout < TimeSpan.FromMilliseconds(10) || AttemptTimeout > TimeSpan.FromHours(1)))
        {
            throw new ArgumentOutOfRangeException(nameof(AttemptTimeout), AttemptTimeout,
                $"{name}.{nameof(AttemptTimeout)} must be between 10 ms and 1 hour, or Timeout.InfiniteTimeSpan.");
        }

        if (CleanupTimeout < TimeSpan.FromMilliseconds(10) || CleanupTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(CleanupTimeout), CleanupTimeout,
                $"{name}.{nameof(CleanupTimeout)} must be between 10 ms and 10 minutes.");
        }

        if (CloseTimeout < TimeSpan.FromMilliseconds(10) || CloseTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(CloseTimeout), CloseTimeout,
                $"{name}.{nameof(CloseTimeout)} must be between 10 ms and 10 minutes.");
        }

        if (MaxErrorBodyLength is < 0 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxErrorBodyLength), MaxErrorBodyLength,
                $"{name}.{nameof(MaxErrorBodyLength)} must be between 0 and 1,000,000 characters.");
        }

        Retry.Validate();
    }
}
