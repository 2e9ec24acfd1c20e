using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.AvatarWorkers.Http;
using Pipeline.BeyondPresence.Http;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.BeyondPresence;

/// <summary>
/// Client of Beyond Presence's real-time session API (<c>https://api.bey.dev</c>), authenticated by the
/// <c>x-api-key</c> header: <c>POST /v1/session</c> sends an avatar worker into a LiveKit room,
/// <c>GET /v1/session/{id}</c> reads a session back.
/// </summary>
/// <remarks>
/// <para>Transient failures (no answer within <see cref="BeyondPresenceOptions.RequestTimeout"/>, HTTP 408, 429, 5xx)
/// are retried with exponential backoff per the options; a 4xx never is. Every failure is an
/// <see cref="AvatarWorkerDispatchException"/> saying what to do (401/403: the key; 404/422: the avatar id or LiveKit
/// URL; 429/5xx: try later, <see cref="AvatarWorkerDispatchException.IsTransient"/>), quoting Beyond Presence's own
/// explanation only with the key, the token and anything token-like masked. Response bodies are never logged: the
/// session answer echoes the worker's token.</para>
/// <para>Beyond Presence documents no call that ends a session: it ends when its worker leaves the room.</para>
/// <para>Thread-safe; holds no per-session state.</para>
/// </remarks>
public sealed class BeyondPresenceApi : IDisposable
{
    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddBeyondPresence</c> registers with IHttpClientFactory.</summary>
    public const string HttpClientName = "Pipeline.BeyondPresence";

    /// <summary>The provider's name in messages, logs and <see cref="AvatarWorkerDispatch.Provider"/>.</summary>
    public const string ProviderName = "Beyond Presence";

    private readonly WorkerApiTransport _transport;
    private readonly Uri _baseUrl;

    /// <summary>Creates a client with its own <see cref="HttpClient"/> (disposed with this client).</summary>
    /// <param name="options">The settings; <see cref="BeyondPresenceOptions.ApiKey"/> is required.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of timeouts and retry delays; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range (the message names it).</exception>
    public BeyondPresenceApi(BeyondPresenceOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(null, options, loggerFactory, timeProvider)
    {
    }

    /// <summary>Creates a client on a given <see cref="HttpClient"/> (e.g. from IHttpClientFactory), which the caller
    /// keeps owning. Its <see cref="HttpClient.BaseAddress"/> is not used; give it an infinite
    /// <see cref="HttpClient.Timeout"/> so <see cref="BeyondPresenceOptions.RequestTimeout"/> governs.</summary>
    /// <param name="httpClient">The HTTP client, or <see langword="null"/> for an owned one.</param>
    /// <param name="options">The settings; <see cref="BeyondPresenceOptions.ApiKey"/> is required.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of timeouts and retry delays; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range (the message names it).</exception>
    public BeyondPresenceApi(HttpClient? httpClient, BeyondPresenceOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _baseUrl = options.BaseUrl;
        var settings = new WorkerApiSettings(ProviderName, options.BaseUrl, options.ApiKey, options.RequestTimeout,
            options.MaxRetryAttempts, options.RetryBaseDelay, options.MaxRetryDelay);
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<BeyondPresenceApi>();
        _transport = new WorkerApiTransport(settings, httpClient, Advice, logger, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Starts a session: Beyond Presence's worker joins <see cref="BeyondPresenceSessionRequest.LiveKitUrl"/>
    /// with <see cref="BeyondPresenceSessionRequest.LiveKitToken"/> and renders the avatar. Billing starts here.</summary>
    /// <param name="request">The avatar, LiveKit URL and worker token; checked before anything is sent.</param>
    /// <param name="cancellationToken">Cancels the call (and its retries).</param>
    /// <returns>The created session (its <see cref="BeyondPresenceSession.Id"/> names it).</returns>
    /// <exception cref="ArgumentException"><paramref name="request"/> is incomplete.</exception>
    /// <exception cref="AvatarWorkerDispatchException">Beyond Presence refused or could not be reached.</exception>
    public async Task<BeyondPresenceSession> CreateSessionAsync(BeyondPresenceSessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var call = new WorkerApiCall("create session", HttpMethod.Post, "v1/session")
        {
            Body = JsonSerializer.SerializeToUtf8Bytes(
                new CreateSessionBody(request.AvatarId, request.LiveKitUrl.OriginalString, request.LiveKitToken),
                BeyondPresenceJsonContext.Default.CreateSessionBody),
            Secret = request.LiveKitToken,
            Subject = $"avatar id '{request.AvatarId}' (BeyondPresenceOptions.AvatarId) and LiveKit URL {request.LiveKitUrl.GetLeftPart(UriPartial.Authority)}",
        };
        WorkerApiResponse response = await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
        return _transport.Parse(call, response, BeyondPresenceJsonContext.Default.BeyondPresenceSession);
    }

    /// <summary>Reads a session back (<c>GET /v1/session/{id}</c>).</summary>
    /// <param name="sessionId">The id <see cref="CreateSessionAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the call (and its retries).</param>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is empty.</exception>
    /// <exception cref="AvatarWorkerDispatchException">Beyond Presence refused (404: no such session) or could not be reached.</exception>
    public async Task<BeyondPresenceSession> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        var call = new WorkerApiCall("get session", HttpMethod.Get, "v1/session/" + Uri.EscapeDataString(sessionId))
        {
            Subject = $"session id '{sessionId}'",
        };
        WorkerApiResponse response = await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
        return _transport.Parse(call, response, BeyondPresenceJsonContext.Default.BeyondPresenceSession);
    }

    /// <summary>Disposes the owned <see cref="HttpClient"/> (not a given one).</summary>
    public void Dispose() => _transport.Dispose();

    // What the user should do about a failed call; never quotes a secret.
    private string Advice(WorkerApiCall call, HttpStatusCode? status) => status switch
    {
        null => $"Check the network and BeyondPresenceOptions.BaseUrl ({_baseUrl.GetLeftPart(UriPartial.Authority)}); this is transient, so try again later.",
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
            $"Beyond Presence did not accept the API key: check {BeyondPresenceOptions.ApiKeyVariable} (BeyondPresenceOptions.ApiKey).",
        HttpStatusCode.NotFound when call.Method == HttpMethod.Get => $"Beyond Presence has no {call.Subject}: check the id.",
        HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest =>
            $"Check the {call.Subject}, and that BeyondPresenceOptions.BaseUrl is Beyond Presence's API root.",
        HttpStatusCode.TooManyRequests => "Beyond Presence is rate limiting this key (or its concurrent sessions are used up): try again later.",
        { } s when (int)s >= 500 => "Beyond Presence is failing: try again later.",
        _ => $"Beyond Presence rejected the request: check the {call.Subject}.",
    };
}
