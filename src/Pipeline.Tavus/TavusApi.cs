using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.AvatarWorkers.Http;
using Pipeline.LiveKit.AvatarWorkers;
using Pipeline.Tavus.Http;

namespace Pipeline.Tavus;

/// <summary>
/// Client of Tavus's conversation API (<c>https://tavusapi.com/v2</c>), authenticated by the <c>x-api-key</c> header:
/// <c>POST /v2/conversations</c> sends a replica into a LiveKit room (<c>properties.livekit_ws_url</c> and
/// <c>livekit_room_token</c>), <c>POST /v2/conversations/{id}/end</c> ends it. Tavus bills a conversation from its
/// creation until it ends.
/// </summary>
/// <remarks>
/// <para>Ending is retried on every transient failure (no answer, HTTP 408, 429, 5xx). Creating is retried only when
/// Tavus certainly did not act (no connection, HTTP 429): after a timeout or a 5xx a conversation may exist, and a
/// repeat could open a second billed one; the error then names the conversation so it can be ended. A 4xx is never
/// retried. Every failure is an <see cref="AvatarWorkerDispatchException"/> saying what to do, quoting Tavus's own
/// explanation only with the key, the token and anything token-like masked; response bodies are never logged.</para>
/// <para>Thread-safe; holds no per-conversation state.</para>
/// </remarks>
public sealed class TavusApi : IDisposable
{
    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddTavus</c> registers with IHttpClientFactory.</summary>
    public const string HttpClientName = "Pipeline.Tavus";

    /// <summary>The provider's name in messages, logs and <see cref="AvatarWorkerDispatch.Provider"/>.</summary>
    public const string ProviderName = "Tavus";

    private readonly WorkerApiTransport _transport;
    private readonly Uri _baseUrl;

    /// <summary>Creates a client with its own <see cref="HttpClient"/> (disposed with this client).</summary>
    /// <param name="options">The settings; <see cref="TavusOptions.ApiKey"/> and <see cref="TavusOptions.PersonaId"/> are required.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of timeouts and retry delays; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range (the message names it).</exception>
    public TavusApi(TavusOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(null, options, loggerFactory, timeProvider)
    {
    }

    /// <summary>Creates a client on a given <see cref="HttpClient"/> (e.g. from IHttpClientFactory), which the caller
    /// keeps owning. Its <see cref="HttpClient.BaseAddress"/> is not used; give it an infinite
    /// <see cref="HttpClient.Timeout"/> so <see cref="TavusOptions.RequestTimeout"/> governs.</summary>
    /// <param name="httpClient">The HTTP client, or <see langword="null"/> for an owned one.</param>
    /// <param name="options">The settings; <see cref="TavusOptions.ApiKey"/> and <see cref="TavusOptions.PersonaId"/> are required.</param>
    /// <param name="loggerFactory">Where logs go; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock of timeouts and retry delays; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is missing or out of range (the message names it).</exception>
    public TavusApi(HttpClient? httpClient, TavusOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _baseUrl = options.BaseUrl;
        var settings = new WorkerApiSettings(ProviderName, options.BaseUrl, options.ApiKey, options.RequestTimeout,
            options.MaxRetryAttempts, options.RetryBaseDelay, options.MaxRetryDelay);
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TavusApi>();
        _transport = new WorkerApiTransport(settings, httpClient, GeneralAdvice, logger, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Creates a conversation whose replica joins <see cref="TavusConversationRequest.LiveKitUrl"/> with
    /// <see cref="TavusConversationRequest.LiveKitToken"/>. Billing starts here; end it with <see cref="EndConversationAsync"/>.</summary>
    /// <param name="request">The persona, replica, LiveKit URL, token and name; checked before anything is sent.</param>
    /// <param name="cancellationToken">Cancels the call. Cancelling after the request went out may leave a
    /// conversation Tavus created without this client learning its id: it carries
    /// <see cref="TavusConversationRequest.ConversationName"/>, by which it can be found and ended.</param>
    /// <returns>The created conversation (its <see cref="TavusConversation.ConversationId"/> ends it).</returns>
    /// <exception cref="ArgumentException"><paramref name="request"/> is incomplete.</exception>
    /// <exception cref="AvatarWorkerDispatchException">Tavus refused or could not be reached.</exception>
    public async Task<TavusConversation> CreateConversationAsync(TavusConversationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var body = new CreateConversationBody(
            string.IsNullOrWhiteSpace(request.ReplicaId) ? null : request.ReplicaId,
            request.PersonaId,
            request.ConversationName,
            new LiveKitProperties(request.LiveKitUrl.OriginalString, request.LiveKitToken));
        var call = new WorkerApiCall("create conversation", HttpMethod.Post, "conversations")
        {
            Body = JsonSerializer.SerializeToUtf8Bytes(body, TavusJsonContext.Default.CreateConversationBody),
            Secret = request.LiveKitToken,
            Retry = WorkerApiRetry.Unprocessed,
            Advice = status => CreateAdvice(request, status),
        };
        WorkerApiResponse response = await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
        return _transport.Parse(call, response, TavusJsonContext.Default.TavusConversation);
    }

    /// <summary>Ends a conversation (<c>POST /v2/conversations/{id}/end</c>), retried on transient failures.</summary>
    /// <param name="conversationId">The id <see cref="CreateConversationAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the call (and its retries).</param>
    /// <returns><see langword="true"/> when Tavus ended it; <see langword="false"/> when Tavus no longer knows it
    /// (HTTP 404 or 410: it ended already).</returns>
    /// <exception cref="ArgumentException"><paramref name="conversationId"/> is empty.</exception>
    /// <exception cref="AvatarWorkerDispatchException">Tavus refused or could not be reached: the conversation may
    /// still be billed (the message says so).</exception>
    public async Task<bool> EndConversationAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        var call = new WorkerApiCall("end conversation", HttpMethod.Post, $"conversations/{Uri.EscapeDataString(conversationId)}/end")
        {
            Advice = status => EndAdvice(conversationId, status),
        };
        try
        {
            await _transport.SendAsync(call, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AvatarWorkerDispatchException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return false;
        }
    }

    /// <summary>Disposes the owned <see cref="HttpClient"/> (not a given one).</summary>
    public void Dispose() => _transport.Dispose();

    // What to do about a failed create; never quotes a secret.
    private string CreateAdvice(TavusConversationRequest request, HttpStatusCode? status)
    {
        string mayExist = $" A conversation named '{request.ConversationName}' may have been created: if Tavus's dashboard shows it active, end it there (Tavus bills until it ends).";
        return status switch
        {
            null => $"Check the network and TavusOptions.BaseUrl ({_baseUrl.GetLeftPart(UriPartial.Authority)}).{mayExist}",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"Tavus did not accept the API key: check {TavusOptions.ApiKeyVariable} (TavusOptions.ApiKey).",
            HttpStatusCode.TooManyRequests => "Tavus is rate limiting this key (or its concurrent conversations are used up): try again later.",
            { } s when (int)s >= 500 => $"Tavus is failing: try again later.{mayExist}",
            _ => $"Check the persona id '{request.PersonaId}' (TavusOptions.PersonaId: pipeline_mode 'echo' and a 'livekit' transport layer), " +
                $"the replica id '{request.ReplicaId ?? "default"}' (TavusOptions.ReplicaId) and the LiveKit URL {request.LiveKitUrl.GetLeftPart(UriPartial.Authority)}.",
        };
    }

    // What to do about a failed end: the conversation may still be billed.
    private string EndAdvice(string conversationId, HttpStatusCode? status)
    {
        string billed = $" Conversation '{conversationId}' may still be billed: end it in Tavus's dashboard, or retry.";
        return status switch
        {
            null => $"Check the network and TavusOptions.BaseUrl ({_baseUrl.GetLeftPart(UriPartial.Authority)}).{billed}",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"Tavus did not accept the API key: check {TavusOptions.ApiKeyVariable} (TavusOptions.ApiKey).{billed}",
            HttpStatusCode.TooManyRequests => $"Tavus is rate limiting this key: try again later.{billed}",
            { } s when (int)s >= 500 => $"Tavus is failing: try again later.{billed}",
            _ => $"Tavus refused to end it: check the conversation id.{billed}",
        };
    }

    // The transport's fallback; every call of this client brings its own advice.
    private static string GeneralAdvice(WorkerApiCall call, HttpStatusCode? status) => "Check TavusOptions.";
}
