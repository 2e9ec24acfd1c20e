using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.HeyGen.Api.Http;

namespace Pipeline.HeyGen.Api;

/// <summary>
/// Client of the LiveAvatar API (<c>https://api.liveavatar.com/v1</c>): <c>sessions/token</c> with the API key
/// (<c>X-API-KEY</c>), then <c>sessions/start</c> with the session token as a bearer token; stop and keep-alive with
/// the API key, so closing needs only the session id.
/// </summary>
/// <remarks>
/// <para>Creating a token is never retried (it creates a session) and never abandoned while its answer can still
/// come (a session its late answer names is stopped); start and keep-alive are retried on transient failures per
/// <see cref="AvatarApiOptions.Retry"/>, stop with backoff until <see cref="AvatarApiOptions.CloseTimeout"/>. A session whose start fails or is cancelled is stopped
/// with reason <c>SERVER_ERROR</c> before the error surfaces.</para>
/// <para>Thread-safe; holds no per-session state (Pipecat keeps the last session token; this client does not need to).</para>
/// </remarks>
public sealed class LiveAvatarApi : BaseAvatarApi
{
    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddLiveAvatarApi</c> registers with IHttpClientFactory.</summary>
    public const string HttpClientName = "Pipeline.HeyGen.Api.LiveAvatar";

    private const string Service = "LiveAvatar";

    private readonly AvatarApiTransport _transport;
    private readonly ILogger _logger;
    private readonly LiveAvatarApiOptions _options;
    private readonly SessionCreation _creation;

    /// <summary>Creates a client with its own <see cref="HttpClient"/> (disposed with this client).</summary>
    /// <param name="options">The settings; <see cref="AvatarApiOptions.ApiKey"/> is required.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for timeouts and retry delays; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public LiveAvatarApi(LiveAvatarApiOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(null, options, loggerFactory, timeProvider)
    {
    }

    /// <summary>Creates a client on a given <see cref="HttpClient"/>, which the caller keeps owning.</summary>
    /// <param name="httpClient">The HTTP client. Its <see cref="HttpClient.BaseAddress"/> is not used.</param>
    /// <param name="options">The settings; <see cref="AvatarApiOptions.ApiKey"/> is required.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for timeouts and retry delays; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public LiveAvatarApi(HttpClient? httpClient, LiveAvatarApiOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<LiveAvatarApi>();
        _transport = new AvatarApiTransport(Service, "X-API-KEY", httpClient, options, _logger, timeProvider ?? TimeProvider.System);
        _creation = new SessionCreation(_transport,
            "Its id is unknown to this process: LiveAvatar ends a session that is never started after its idle timeout; check the LiveAvatar dashboard for sessions left open.");
    }

    /// <inheritdoc />
    public override bool SupportsKeepAlive => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="request"/> is missing (LiveAvatar needs an avatar id) or
    /// is not a <see cref="LiveAvatarNewSessionRequest"/>.</exception>
    public override Task<StandardSessionResponse> NewSessionAsync(AvatarSessionRequest? request, CancellationToken cancellationToken = default) =>
        request switch
        {
            LiveAvatarNewSessionRequest liveAvatar => NewSessionAsync(liveAvatar, cancellationToken),
            null => throw new ArgumentNullException(nameof(request), $"LiveAvatar needs a {nameof(LiveAvatarNewSessionRequest)} with an avatar id."),
            _ => throw new ArgumentException($"LiveAvatarApi takes a {nameof(LiveAvatarNewSessionRequest)}, not a {request.GetType().Name}.", nameof(request)),
        };

    /// <summary>Creates a session token, then starts the session with it.</summary>
    /// <param name="request">What to create; validated before anything is sent.</param>
    /// <param name="cancellationToken">Cancels the call. A session created before cancellation is stopped first.</param>
    /// <returns>The started session; <see cref="StandardSessionResponse.RawResponse"/> is the <see cref="LiveAvatarSessionData"/>.</returns>
    /// <exception cref="HeyGenApiException">Creating or starting failed; no session was left open (unless stopping it
    /// failed too, which is logged as an error with the session id).</exception>
    public async Task<StandardSessionResponse> NewSessionAsync(LiveAvatarNewSessionRequest request, CancellationToken cancellationToken = default)
    {
        var token = await CreateSessionTokenAsync(request, cancellationToken).ConfigureAwait(false);
        LiveAvatarSessionData session;
        try
        {
            session = await StartSessionAsync(token.SessionToken, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HeyGenApiException or OperationCanceledException)
        {
            await StopAfterFailedStartAsync(token.SessionId).ConfigureAwait(false);
            throw;
        }

        return new StandardSessionResponse
        {
            SessionId = session.SessionId,
            AccessToken = session.LiveKitClientToken,
            LiveKitAgentToken = session.LiveKitAgentToken,
            LiveKitUrl = session.LiveKitUrl,
            WebSocketUrl = session.WsUrl,
            RawResponse = session,
        };
    }

    /// <summary>Creates a session and its bearer token (<c>POST /v1/sessions/token</c>, never retried, never abandoned
    /// while its answer can still come).</summary>
    /// <param name="request">What to create; validated before anything is sent.</param>
    /// <param name="cancellationToken">Cancels the call. If the call is being answered, its answer is awaited (within
    /// <see cref="AvatarApiOptions.CleanupTimeout"/>) and the session it names is stopped before the cancellation
    /// surfaces.</param>
    /// <returns>The session id and session token. The session is not started yet.</returns>
    /// <exception cref="HeyGenApiException">The call failed.</exception>
    public async Task<LiveAvatarSessionToken> CreateSessionTokenAsync(LiveAvatarNewSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var call = new AvatarApiCall("sessions/token", HttpMethod.Post, "sessions/token")
        {
            Body = AvatarApiTransport.Serialize(request, HeyGenJsonContext.Default.LiveAvatarNewSessionRequest),
            Creates = true,
        };
        var token = await _creation.SendAsync(
            call,
            result => _transport.ParseData(call, result, HeyGenJsonContext.Default.LiveAvatarSessionToken),
            SessionCreation.SessionIdIn,
            StopAfterFailedStartAsync,
            cancellationToken).ConfigureAwait(false);
        ApiLog.SessionCreated(_logger, Service, token.SessionId);
        return token;
    }

    /// <summary>Starts a session (<c>POST /v1/sessions/start</c> with <c>Authorization: Bearer</c>).</summary>
    /// <param name="sessionToken">The token from <see cref="CreateSessionTokenAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How to reach the session.</returns>
    /// <exception cref="HeyGenApiException">The call failed.</exception>
    public async Task<LiveAvatarSessionData> StartSessionAsync(string sessionToken, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(sessionToken))
        {
            throw new ArgumentException("A session token is required (from CreateSessionTokenAsync).", nameof(sessionToken));
        }

        var call = new AvatarApiCall("sessions/start", HttpMethod.Post, "sessions/start")
        {
            BearerToken = sessionToken,
            Retryable = true,
        };
        var data = await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
        var session = _transport.ParseData(call, data, HeyGenJsonContext.Default.LiveAvatarSessionData);
        ApiLog.SessionStarted(_logger, Service, session.SessionId);
        return session;
    }

    /// <summary>Stops a session with a reason (<c>POST /v1/sessions/stop</c>, authenticated by the API key).</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="reason">Why the session ends; recorded by LiveAvatar.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="HeyGenApiException">The call failed.</exception>
    public async Task StopSessionAsync(string sessionId, LiveAvatarStopReason reason, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidSessionId(sessionId);
        var call = new AvatarApiCall("sessions/stop", HttpMethod.Post, "sessions/stop")
        {
            Body = AvatarApiTransport.Serialize(new LiveAvatarStopBody(sessionId, reason), HeyGenJsonContext.Default.LiveAvatarStopBody),
            Retryable = true,
            Closes = true,
            AllowEmptyBody = true,
            SessionId = sessionId,
        };
        await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
        var reasonText = reason.ToString();
        ApiLog.SessionStopped(_logger, Service, sessionId, reasonText);
    }

    /// <summary>Stops a session with <see cref="LiveAvatarApiOptions.CloseReason"/>.</summary>
    /// <inheritdoc />
    public override Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        StopSessionAsync(sessionId, _options.CloseReason, cancellationToken);

    /// <summary>Resets the session's idle timer (<c>POST /v1/sessions/keep-alive</c>; LITE sessions idle out after
    /// 5 minutes).</summary>
    /// <inheritdoc />
    public override async Task KeepAliveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidSessionId(sessionId);
        var call = new AvatarApiCall("sessions/keep-alive", HttpMethod.Post, "sessions/keep-alive")
        {
            Body = AvatarApiTransport.Serialize(new SessionIdBody(sessionId), HeyGenJsonContext.Default.SessionIdBody),
            Retryable = true,
            AllowEmptyBody = true,
            SessionId = sessionId,
        };
        await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
        ApiLog.KeptAlive(_logger, Service, sessionId);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _transport.Dispose();
        }

        base.Dispose(disposing);
    }

    // Closes a session the caller will not get (its start failed, or its creation was cancelled or timed out).
    private async Task<bool> StopAfterFailedStartAsync(string sessionId)
    {
        ApiLog.StoppingAfterFailedStart(_logger, Service, sessionId);
        using var cleanup = new CancellationTokenSource(_options.CleanupTimeout, _transport.TimeProvider);
        try
        {
            await StopSessionAsync(sessionId, LiveAvatarStopReason.ServerError, cleanup.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is HeyGenApiException or OperationCanceledException)
        {
            ApiLog.CleanupFailed(_logger, Service, sessionId, _transport.Redact(ex.Message));
            return false;
        }
    }
}
