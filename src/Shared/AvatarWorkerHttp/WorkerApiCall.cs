namespace Pipeline.AvatarWorkers.Http;

/// <summary>One REST call of a provider API.</summary>
/// <param name="Operation">Its name in messages and logs, e.g. "create session".</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path relative to the base URL (no leading slash; no secrets: it is logged).</param>
internal sealed record WorkerApiCall(string Operation, HttpMethod Method, string Path)
{
    /// <summary>The UTF-8 JSON body, if any.</summary>
    public byte[]? Body { get; init; }

    /// <summary>A secret the body carries (the worker's LiveKit token), masked in every text that could echo it.</summary>
    public string? Secret { get; init; }

    /// <summary>What the call is about, for the advice in its error (e.g. the avatar id and the LiveKit host; no secrets).</summary>
    public string? Subject { get; init; }

    /// <summary>Whether transient failures (no answer, 408, 429, 5xx) are retried. Never 4xx.</summary>
    public bool Retryable { get; init; } = true;
}
