using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Pipeline.LiveKit.AvatarWorkers;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Pipeline.AvatarWorkers.Http;

/// <summary>
/// Sends a provider's REST calls: the <c>x-api-key</c> header, a per-attempt timeout, retries with exponential backoff
/// (honouring <c>Retry-After</c>) of transient failures only (no answer, 408, 429, 5xx; never another 4xx), all timed
/// by the given <see cref="TimeProvider"/>. Every failure becomes an <see cref="AvatarWorkerDispatchException"/> whose
/// message says what failed and what to do, quoting the provider's explanation only after redaction.
/// </summary>
/// <remarks>Shared source: compiled into each provider package. Thread-safe; holds no per-call state.</remarks>
internal sealed class WorkerApiTransport : IDisposable
{
    private static readonly MediaTypeWithQualityHeaderValue JsonMediaType = new("application/json");
    private static readonly ResiliencePropertyKey<string> OperationKey = new("Pipeline.AvatarWorkers.Operation");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _baseUrl;
    private readonly WorkerApiSettings _settings;
    private readonly Func<WorkerApiCall, HttpStatusCode?, string> _advice;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _retryingTransient;
    private readonly ResiliencePipeline<HttpResponseMessage> _retryingUnprocessed;
    private readonly ResiliencePipeline<HttpResponseMessage> _once;

    /// <param name="settings">The validated settings.</param>
    /// <param name="http">The client to send with (kept by the caller), or <see langword="null"/> for an owned one.</param>
    /// <param name="advice">What the user should do about a failed call: a status, or <see langword="null"/> when
    /// there was no answer. Must not quote secrets.</param>
    /// <param name="logger">Where calls are logged (never bodies, keys or tokens).</param>
    /// <param name="time">The clock of timeouts and retry delays.</param>
    public WorkerApiTransport(WorkerApiSettings settings, HttpClient? http, Func<WorkerApiCall, HttpStatusCode?, string> advice, ILogger logger, TimeProvider time)
    {
        _settings = settings;
        _advice = advice;
        _logger = logger;
        _time = time;
        _ownsHttp = http is null;

        // An owned client: the attempt timeout below is the only timeout, and pooled connections are recycled so DNS
        // changes are seen.
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        // Relative paths combine under the last segment only when the base ends with a slash.
        string baseText = settings.BaseUrl.AbsoluteUri;
        _baseUrl = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/");
        _retryingTransient = BuildPipeline(WorkerApiRetry.Transient);
        _retryingUnprocessed = BuildPipeline(WorkerApiRetry.Unprocessed);
        _once = BuildPipeline(WorkerApiRetry.Never);
    }

    /// <summary>The provider's name.</summary>
    public string Provider => _settings.Provider;

    /// <summary>Sends <paramref name="call"/> and returns its 2xx answer.</summary>
    /// <exception cref="AvatarWorkerDispatchException">No answer, or a non-2xx one (after the retries it deserved).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<WorkerApiResponse> SendAsync(WorkerApiCall call, CancellationToken cancellationToken)
    {
        ResiliencePipeline<HttpResponseMessage> pipeline = call.Retry switch
        {
            WorkerApiRetry.Transient => _retryingTransient,
            WorkerApiRetry.Unprocessed => _retryingUnprocessed,
            _ => _once,
        };
        ResilienceContext context = ResilienceContextPool.Shared.Get(call.Operation, cancellationToken);
        context.Properties.Set(OperationKey, call.Operation);
        var attempts = new StrongBox<int>();
        long started = _time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    state.attempts.Value++;
                    return await state.self.SendOnceAsync(state.call, ctx.CancellationToken).ConfigureAwait(false);
                },
                context,
                (self: this, call, attempts)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            WorkerApiLog.Cancelled(_logger, Provider, call.Operation);
            throw;
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or HttpRequestException or IOException or OperationCanceledException)
        {
            string what = ex switch
            {
                TimeoutRejectedException => $"no answer within {_settings.RequestTimeout.TotalSeconds:0.###} s",
                OperationCanceledException => "the HTTP client timed out",
                _ => $"connection failed: {ex.Message}",
            };
            throw Fail(call, $"{Provider} {call.Operation} failed: {what}{AttemptsText(attempts.Value)}. {AdviceFor(call, null)}", null, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            WorkerApiLog.Answered(_logger, Provider, call.Operation, (int)response.StatusCode, (long)_time.GetElapsedTime(started).TotalMilliseconds, attempts.Value);
            if (response.IsSuccessStatusCode)
            {
                return new WorkerApiResponse(response.StatusCode, body, attempts.Value);
            }

            string message = $"{Provider} {call.Operation} failed: HTTP {(int)response.StatusCode} ({response.StatusCode}){AttemptsText(attempts.Value)}. " +
                AdviceFor(call, response.StatusCode);
            if (ProviderErrorText.Extract(body, [_settings.ApiKey, call.Secret]) is { } said)
            {
                message += $" {Provider} said: \"{said}\"";
            }

            throw Fail(call, message, response.StatusCode, inner: null);
        }
    }

    /// <summary>Reads a 2xx answer's body as <typeparamref name="T"/>; a body of another shape fails clearly, naming
    /// the field (System.Text.Json's messages name paths, never values), without quoting the body.</summary>
    public T Parse<T>(WorkerApiCall call, WorkerApiResponse response, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Body, typeInfo) ?? throw new JsonException("The body is JSON null.");
        }
        catch (JsonException ex)
        {
            throw Fail(call, $"{Provider} {call.Operation} answered HTTP {(int)response.Status} with a body that is not the documented shape " +
                $"({SecretText.Redact(ex.Message, [_settings.ApiKey, call.Secret], 300)}). Check {nameof(WorkerApiSettings.BaseUrl)} points at the provider's API.",
                response.Status, inner: null);
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(WorkerApiCall call, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(call.Method, new Uri(_baseUrl, call.Path));
        request.Headers.Accept.Add(JsonMediaType);
        request.Headers.TryAddWithoutValidation("x-api-key", _settings.ApiKey);
        if (call.Body is { } body)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        WorkerApiLog.Sending(_logger, Provider, call.Operation, call.Method, "/" + call.Path);

        // ResponseContentRead: the body is read inside the attempt, so the attempt timeout and the retries cover it.
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    private AvatarWorkerDispatchException Fail(WorkerApiCall call, string message, HttpStatusCode? status, Exception? inner)
    {
        // The parts are redacted already; this pass also catches a secret in a transport error's text.
        string safe = SecretText.Redact(message, [_settings.ApiKey, call.Secret]);
        WorkerApiLog.Failed(_logger, safe);
        return new AvatarWorkerDispatchException(safe, status, inner);
    }

    private string AdviceFor(WorkerApiCall call, HttpStatusCode? status) => call.Advice is { } advice ? advice(status) : _advice(call, status);

    private static string AttemptsText(int attempts) => attempts > 1 ? $" after {attempts} attempts" : string.Empty;

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline(WorkerApiRetry retry)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time };
        if (retry != WorkerApiRetry.Never && _settings.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _settings.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                Delay = _settings.RetryBaseDelay,
                MaxDelay = _settings.MaxRetryDelay,

                // Deterministic delays: a dispatch is one call per conversation, not a fleet retrying in step.
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(retry, args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } answer ? RetryAfter(answer) : null),
                OnRetry = args =>
                {
                    string reason = args.Outcome.Exception is { } ex ? ex.GetType().Name : $"HTTP {(int)args.Outcome.Result!.StatusCode}";
                    WorkerApiLog.Retrying(_logger, Provider, args.Context.Properties.GetValue(OperationKey, "call"), args.AttemptNumber + 1,
                        reason, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        if (_settings.RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(_settings.RequestTimeout);
        }

        return builder.Build();
    }

    /// <summary>HTTP statuses worth another attempt: 408, 429 and 5xx except 501 and 505 (they will not change).</summary>
    internal static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int)status >= 500 && status is not HttpStatusCode.NotImplemented and not HttpStatusCode.HttpVersionNotSupported);

    private bool ShouldRetry(WorkerApiRetry retry, Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (retry == WorkerApiRetry.Unprocessed)
        {
            // The provider did not act: nothing was sent (no connection), or it refused for rate (and says so).
            return outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
                || (outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } limited
                    && (RetryAfter(limited) is not { } asked || asked <= _settings.MaxRetryDelay));
        }

        if (outcome.Exception is { } exception)
        {
            return exception switch
            {
                TimeoutRejectedException or HttpRequestException or IOException => true,

                // HttpClient's own Timeout surfaces as a cancellation the caller did not ask for.
                OperationCanceledException => !context.CancellationToken.IsCancellationRequested,
                _ => false,
            };
        }

        HttpResponseMessage response = outcome.Result!;

        // A server asking for a longer pause than the longest retry delay gets its error reported instead.
        return IsTransient(response.StatusCode) && (RetryAfter(response) is not { } wait || wait <= _settings.MaxRetryDelay);
    }

    /// <summary>The wait a <c>Retry-After</c> header asks for (delta seconds or an HTTP date), if any.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        return wait is { } w && w < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
