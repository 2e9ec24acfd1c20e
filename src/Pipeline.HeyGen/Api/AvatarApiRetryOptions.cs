namespace Pipeline.HeyGen.Api;

/// <summary>
/// Retry policy for transient failures: HTTP 408, 429 and 5xx (except 501 and 505), timeouts, dropped connections.
/// It applies only to calls a retry cannot turn into a second session (start, stop, keep-alive, tokens, lists);
/// session creation is never retried.
/// </summary>
public sealed class AvatarApiRetryOptions
{
    /// <summary>Retries after the first attempt; 0 disables retrying. Default 3, range 0–10.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The delay before the first retry; later retries double it (exponential backoff). Default 1 s.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap on a backoff delay. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether backoff delays are randomised (decorrelated jitter) so many clients do not retry in step.
    /// Default <see langword="true"/>.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>Whether a <c>Retry-After</c> header on a 429 or 503 sets the delay. Default <see langword="true"/>.</summary>
    public bool RespectRetryAfter { get; set; } = true;

    /// <summary>The longest <c>Retry-After</c> the client will wait; a longer one fails the call instead. Default 60 s.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    internal void Validate()
    {
        if (MaxRetryAttempts is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryAttempts), MaxRetryAttempts, "Retry.MaxRetryAttempts must be between 0 and 10.");
        }

        if (BaseDelay < TimeSpan.Zero || BaseDelay > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(BaseDelay), BaseDelay, "Retry.BaseDelay must be between 0 and 5 minutes.");
        }

        if (MaxDelay < BaseDelay || MaxDelay > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, "Retry.MaxDelay must be at least BaseDelay and at most 10 minutes.");
        }

        if (MaxRetryAfter < TimeSpan.Zero || MaxRetryAfter > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryAfter), MaxRetryAfter, "Retry.MaxRetryAfter must be between 0 and 1 hour.");
        }
    }
}
