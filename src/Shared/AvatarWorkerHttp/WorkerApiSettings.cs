namespace Pipeline.AvatarWorkers.Http;

/// <summary>What <see cref="WorkerApiTransport"/> needs from a provider's options (already validated).</summary>
/// <param name="Provider">The provider's name in messages and logs, e.g. "Beyond Presence".</param>
/// <param name="BaseUrl">The API root; request paths are relative to it.</param>
/// <param name="ApiKey">Sent in the <c>x-api-key</c> header; a secret.</param>
/// <param name="RequestTimeout">How long one attempt (send and read the body) may take.</param>
/// <param name="MaxRetryAttempts">Retries after the first attempt of a retryable call, for transient failures only.</param>
/// <param name="RetryBaseDelay">The first retry's delay; each later one doubles it.</param>
/// <param name="MaxRetryDelay">The cap on a retry delay, and the longest <c>Retry-After</c> honoured (a longer one gives up).</param>
internal sealed record WorkerApiSettings(
    string Provider, Uri BaseUrl, string ApiKey, TimeSpan RequestTimeout, int MaxRetryAttempts, TimeSpan RetryBaseDelay, TimeSpan MaxRetryDelay);
