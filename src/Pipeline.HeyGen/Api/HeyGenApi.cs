using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.HeyGen.Api.Http;

namespace Pipeline.HeyGen.Api;

/// <summary>
/// Client of HeyGen's Interactive Avatar streaming API (<c>https://api.heygen.com/v1</c>), authenticated by the
/// <c>x-api-key</c> header.
/// </summary>
/// <remarks>
/// <para><see cref="NewSessionAsync(NewSessionRequest, CancellationToken)"/> is <c>streaming.new</c> then
/// <c>streaming.start</c>; if start fails or is cancelled, the session is stopped before the error surfaces.</para>
/// <para><c>streaming.new</c> is never retried (a retry could open a second, billed session), and never abandoned
/// while its answer can still come: on a cancel or the attempt timeout it is awaited within
/// <see cref="AvatarApiOptions.CleanupTimeout"/> and the session its late answer names is stopped. Start,
/// keep-alive, create_token and list are retried on transient failures per <see cref="AvatarApiOptions.Retry"/>;
/// stop is retried with backoff until <see cref="AvatarApiOptions.CloseTimeout"/>.</para>
/// <para>Thread-safe; holds no per-session state.</para>
/// </remarks>
public sealed class HeyGenApi : BaseAvatarApi
{
    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddHeyGenApi</c> registers with IHttpClientFactory.</summary>
    public const string HttpClientName = "Pipeline.HeyGen.Api.HeyGen";

    private const string Service = "HeyGen";

    private readonly AvatarApiTransport _transport;
    private readonly ILogger _logger;
    private readonly TimeSpan _cleanupTimeout;
    private readonly SessionCreation _creation;

    /// <summary>Creates a client with its own <see cref="HttpClient"/> (disposed with this client).</summary>
    /// <param name="options">The settings; <see cref="AvatarApiOptions.ApiKey"/> is required.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for timeouts and retry delays; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public HeyGenApi(HeyGenApiOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(null, options, loggerFactory, timeProvider)
    {
    }

    /// <summary>Creates a client on a given <see cref="HttpClient"/> (for example one from IHttpClientFactory),
    /// which the caller keeps owning.</summary>
    /// <param name="httpClient">The HTTP client. Its <see cref="HttpClient.BaseAddress"/> is not used.</param>
    /// <param name="options">The settings; <see cref="AvatarApiOptions.ApiKey"/> is required.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for timeouts and retry delays; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public HeyGenApi(HttpClient? httpClient, HeyGenApiOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<HeyGenApi>();
        _transport = new AvatarApiTransport(Service, "x-api-key", httpClient, options, _logger, timeProvider ?? TimeProvider.System);
        _cleanupTimeout = options.CleanupTimeout;
        _creation = new SessionCreation(_transport,
            "Call HeyGenApi.CloseLeakedSessionsAsync (it lists the account's open sessions and stops them) to end it.");
    }

    /// <inheritdoc />
    public override bool SupportsKeepAlive => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="request"/> is not a <see cref="NewSessionRequest"/>.</exception>
    public override Task<StandardSessionResponse> NewSessionAsync(AvatarSessionRequest? request, CancellationToken cancellationToken = default) =>
        request switch
        {
            null => NewSessionAsync((NewSessionRequest?)null, cancellationToken),
            NewSessionRequest heyGen => NewSessionAsync(heyGen, cancellationToken),
            _ => throw new ArgumentException($"HeyGenApi takes a {nameof(NewSessionRequest)}, not a {request.GetType().Name}.", nameof(request)),
        };

    /// <summary>Creates a session (<c>streaming.new</c>, never retried) and starts it (<c>streaming.start</c>).</summary>
    /// <param name="request">What to create, validated before anything is sent; <see langword="null"/> for HeyGen's
    /// defaults (only <c>version</c> is sent).</param>
    /// <param name="cancellationToken">Cancels the call. A session created before cancellation is stopped first; if
    /// <c>streaming.new</c> is being answered, its answer is awaited (within <see cref="AvatarApiOptions.CleanupTimeout"/>)
    /// so the session it names can be stopped.</param>
    /// <returns>The started session; <see cref="StandardSessionResponse.RawResponse"/> is the <see cref="HeyGenSession"/>.</returns>
    /// <exception cref="HeyGenApiException">Creating or starting failed; no session was left open (unless stopping
    /// it failed too, or <c>streaming.new</c> was not answered even within the cleanup budget: the message, or the
    /// error log, then says a session may be billed and to call <see cref="CloseLeakedSessionsAsync"/>).</exception>
    public async Task<StandardSessionResponse> NewSessionAsync(NewSessionRequest? request, CancellationToken cancellationToken = default)
    {
        request ??= new NewSessionRequest();
        request.Validate();

        var call = new AvatarApiCall("streaming.new", HttpMethod.Post, "streaming.new")
        {
            Body = AvatarApiTransport.Serialize(request, HeyGenJsonContext.Default.NewSessionRequest),
            Creates = true,
        };
        HeyGenSession session = await _creation.SendAsync(
            call,
            result => _transport.ParseData(call, result, HeyGenJsonContext.Default.HeyGenSession),
            SessionCreation.SessionIdIn,
            StopAfterFailedStartAsync,
            cancellationToken).ConfigureAwait(false);

        ApiLog.SessionCreated(_logger, Service, session.SessionId);
        try
        {
            await SendSessionCallAsync("streaming.start", session.SessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HeyGenApiException or OperationCanceledException)
        {
            await StopAfterFailedStartAsync(session.SessionId).ConfigureAwait(false);
            throw;
        }

        ApiLog.SessionStarted(_logger, Service, session.SessionId);
        return new StandardSessionResponse
        {
            SessionId = session.SessionId,
            AccessToken = session.AccessToken,
            LiveKitAgentToken = session.LiveKitAgentToken,
            LiveKitUrl = session.Url,
            WebSocketUrl = session.RealtimeEndpoint,
            RawResponse = session,
        };
    }

    /// <summary>Stops a session (<c>streaming.stop</c>, retried on transient failures).</summary>
    /// <inheritdoc />
    public override async Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidSessionId(sessionId);
        await SendSessionCallAsync("streaming.stop", sessionId, cancellationToken, allowEmptyBody: true).ConfigureAwait(false);
        ApiLog.SessionStopped(_logger, Service, sessionId, "closed");
    }

    /// <summary>Resets the session's idle timer (<c>streaming.keep_alive</c>; HeyGen's default idle timeout is 120 s).</summary>
    /// <inheritdoc />
    public override async Task KeepAliveAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidSessionId(sessionId);
        await SendSessionCallAsync("streaming.keep_alive", sessionId, cancellationToken, allowEmptyBody: true).ConfigureAwait(false);
        ApiLog.KeptAlive(_logger, Service, sessionId);
    }

    /// <summary>Creates a per-session token (<c>streaming.create_token</c>) for a browser client, which then
    /// authenticates with <c>Authorization: Bearer</c> instead of the API key. Treat the token as a secret.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The token.</returns>
    /// <exception cref="HeyGenApiException">The call failed.</exception>
    public async Task<string> CreateTokenAsync(CancellationToken cancellationToken = default)
    {
        var call = new AvatarApiCall("streaming.create_token", HttpMethod.Post, "streaming.create_token") { Retryable = true };
        var data = await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
        var token = _transport.ParseData(call, data, HeyGenJsonContext.Default.StreamingTokenData).Token;
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new HeyGenApiException("HeyGen streaming.create_token returned an empty token.", 200, string.Empty, null, call.Operation);
        }

        return token;
    }

    /// <summary>Lists the account's open sessions (<c>GET /v1/streaming.list</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The open sessions.</returns>
    /// <exception cref="HeyGenApiException">The call failed.</exception>
    public async Task<IReadOnlyList<StreamingSessionInfo>> ListSessionsAsync(CancellationToken cancellationToken = default)
    {
        var call = new AvatarApiCall("streaming.list", HttpMethod.Get, "streaming.list") { Retryable = true };
        var data = await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
        return _transport.ParseData(call, data, HeyGenJsonContext.Default.StreamingSessionList).Sessions;
    }

    /// <summary>
    /// Stops every open session created at least <paramref name="minimumAge"/> ago: the way to recover sessions
    /// leaked by a crashed process. A session whose creation time is unknown counts as old enough.
    /// </summary>
    /// <param name="minimumAge">Sessions younger than this are left alone (another process may be using them);
    /// <see cref="TimeSpan.Zero"/> closes all.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The ids of the sessions that were stopped.</returns>
    /// <exception cref="AggregateException">Some sessions could not be stopped; the others were.</exception>
    /// <exception cref="HeyGenApiException">Listing the sessions failed.</exception>
    public async Task<IReadOnlyList<string>> CloseLeakedSessionsAsync(TimeSpan minimumAge, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumAge, TimeSpan.Zero);
        var cutoff = _transport.TimeProvider.GetUtcNow() - minimumAge;
        var sessions = await ListSessionsAsync(cancellationToken).ConfigureAwait(false);
        var closed = new List<string>();
        var failures = new List<HeyGenApiException>();
        foreach (var session in sessions)
        {
            if (session.CreatedAtTime is { } created && created > cutoff)
            {
                continue;
            }

            ApiLog.ClosingLeaked(_logger, Service, session.SessionId, session.Status ?? "unknown", session.CreatedAtTime);
            try
            {
                await CloseSessionAsync(session.SessionId, cancellationToken).ConfigureAwait(false);
                closed.Add(session.SessionId);
            }
            catch (HeyGenApiException ex)
            {
                failures.Add(ex);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"{failures.Count} of {failures.Count + closed.Count} leaked HeyGen sessions could not be stopped.", failures);
        }

        return closed;
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

    private async Task SendSessionCallAsync(string operation, string sessionId, CancellationToken cancellationToken, bool allowEmptyBody = false)
    {
        var call = new AvatarApiCall(operation, HttpMethod.Post, operation)
        {
            Closes = operation == "streaming.stop",
            Body = AvatarApiTransport.Serialize(new SessionIdBody(sessionId), HeyGenJsonContext.Default.SessionIdBody),
            Retryable = true,
            AllowEmptyBody = allowEmptyBody,
            SessionId = sessionId,
        };
        await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
    }

    // Closes a session the caller will not get (its start failed, or its creation was cancelled or timed out), on
    // its own budget: the caller's token may be the reason we are here. Stops are retried until the budget ends.
    private async Task<bool> StopAfterFailedStartAsync(string sessionId)
    {
        ApiLog.StoppingAfterFailedStart(_logger, Service, sessionId);
        using var cleanup = new CancellationTokenSource(_cleanupTimeout, _transport.TimeProvider);
        try
        {
            await SendSessionCallAsync("streaming.stop", sessionId, cleanup.Token, allowEmptyBody: true).ConfigureAwait(false);
            ApiLog.SessionStopped(_logger, Service, sessionId, "start failed");
            return true;
        }
        catch (Exception ex) when (ex is HeyGenApiException or OperationCanceledException)
        {
            ApiLog.CleanupFailed(_logger, Service, sessionId, _transport.Redact(ex.Message));
            return false;
        }
    }
}
