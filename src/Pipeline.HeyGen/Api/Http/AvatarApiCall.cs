namespace Pipeline.HeyGen.Api.Http;

/// <summary>One REST call as the clients describe it to <see cref="AvatarApiTransport"/>.</summary>
/// <param name="Operation">The operation name used in logs and errors, for example <c>streaming.start</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path relative to the base URL (no leading slash), for example <c>streaming.start</c>.</param>
internal sealed record AvatarApiCall(string Operation, HttpMethod Method, string Path)
{
    /// <summary>The UTF-8 JSON body, or <see langword="null"/> for none.</summary>
    public byte[]? Body { get; init; }

    /// <summary>A bearer token to authenticate with instead of the API key.</summary>
    public string? BearerToken { get; init; }

    /// <summary>Whether transient failures may be retried: only for calls that cannot open a second session.</summary>
    public bool Retryable { get; init; }

    /// <summary>Whether the call may open a billed session (<c>streaming.new</c>, <c>sessions/token</c>): it is sent
    /// once, with no attempt timeout of its own (<see cref="SessionCreation"/> times it and never abandons it).</summary>
    public bool Creates { get; init; }

    /// <summary>Whether the call stops a session: transient failures are retried with backoff until
    /// <see cref="AvatarApiOptions.CloseTimeout"/> (or the caller's token) ends, not just
    /// <see cref="AvatarApiRetryOptions.MaxRetryAttempts"/> times.</summary>
    public bool Closes { get; init; }

    /// <summary>Whether an empty 2xx body is acceptable (calls whose reply carries nothing useful).</summary>
    public bool AllowEmptyBody { get; init; }

    /// <summary>The session the call is about, for logs (session ids are not secrets).</summary>
    public string? SessionId { get; init; }
}
