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

    /// <summary>What the user should do when this call fails (a status, or <see langword="null"/> for no answer),
    /// instead of the transport's general advice. Must not quote secrets.</summary>
    public Func<System.Net.HttpStatusCode?, string>? Advice { get; init; }

    /// <summary>Which failures are retried. Default <see cref="WorkerApiRetry.Transient"/>.</summary>
    public WorkerApiRetry Retry { get; init; } = WorkerApiRetry.Transient;
}
