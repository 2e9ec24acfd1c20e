namespace Pipeline.HeyGen.Api;

/// <summary>
/// The provider-neutral face of an avatar REST API: open a session, keep it alive, close it.
/// A video service holds one of these; another avatar provider plugs in by deriving from it.
/// </summary>
/// <remarks>
/// Implementations own no per-session state, so one instance can serve any number of concurrent sessions.
/// </remarks>
public abstract class BaseAvatarApi : IDisposable
{
    /// <summary>Creates and starts a session, ready for the realtime websocket and the media room.</summary>
    /// <param name="request">The provider's own request type (for example <see cref="NewSessionRequest"/> or
    /// <see cref="LiveAvatarNewSessionRequest"/>); <see langword="null"/> means the provider's defaults where it has them.</param>
    /// <param name="cancellationToken">Cancels the call. A session that was already created is closed before the
    /// cancellation surfaces.</param>
    /// <returns>The connection details of the started session.</returns>
    /// <exception cref="HeyGenApiException">The service refused or failed the request; no session was left open.</exception>
    /// <exception cref="ArgumentException"><paramref name="request"/> is not this provider's request type or is invalid.</exception>
    public abstract Task<StandardSessionResponse> NewSessionAsync(AvatarSessionRequest? request, CancellationToken cancellationToken = default);

    /// <summary>Closes (stops) a session. Billing for it ends here.</summary>
    /// <param name="sessionId">The session id from <see cref="StandardSessionResponse.SessionId"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="HeyGenApiException">The service refused or failed the request.</exception>
    public abstract Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Whether <see cref="KeepAliveAsync"/> is implemented by this provider.</summary>
    public virtual bool SupportsKeepAlive => false;

    /// <summary>Resets the session's idle timer on the provider's side.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotSupportedException">The provider has no REST keep-alive
    /// (<see cref="SupportsKeepAlive"/> is <see langword="false"/>).</exception>
    /// <exception cref="HeyGenApiException">The service refused or failed the request.</exception>
    public virtual Task KeepAliveAsync(string sessionId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} has no REST keep-alive.");

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the resources this client owns (an <see cref="HttpClient"/> it created itself).</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Throws a clear <see cref="ArgumentException"/> when a session id is missing.</summary>
    /// <param name="sessionId">The value to check.</param>
    /// <param name="paramName">The parameter name to report.</param>
    protected static void ThrowIfInvalidSessionId(string? sessionId, string paramName = "sessionId")
    {
        if (string.IsNullOrWhiteSpace(sessionId))
        {
            throw new ArgumentException("A session id is required (got an empty value).", paramName);
        }
    }
}
