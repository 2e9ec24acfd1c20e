using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Polly;
using Pipeline.HeyGen.Diagnostics;
using Polly.Timeout;

namespace Pipeline.HeyGen.Api.Http;

/// <summary>
/// Sends one REST call through the resilience pipeline, checks the HTTP status and the envelope <c>code</c>, and
/// turns every failure into a redacted, length-capped <see cref="HeyGenApiException"/>. Shared by both clients.
/// </summary>
internal sealed class AvatarApiTransport : IDisposable
{
    private static readonly MediaTypeWithQualityHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _baseUrl;
    private readonly string _apiKeyHeader;
    private readonly AvatarApiOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _retrying;
    private readonly ResiliencePipeline<HttpResponseMessage> _singleAttempt;
    private readonly ResiliencePipeline<HttpResponseMessage> _creating;
    private readonly ResiliencePipeline<HttpResponseMessage> _closing;

    public AvatarApiTransport(string serviceName, string apiKeyHeader, HttpClient? http, AvatarApiOptions options, ILogger logger, TimeProvider time)
    {
        options.Validate();
        ServiceName = serviceName;
        _apiKeyHeader = apiKeyHeader;
        _options = options;
        _logger = logger;
        _time = time;
        _ownsHttp = http is null;

        // Our own client: Polly owns timeouts, and pooled connections are recycled so DNS changes are seen.
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        // Relative paths only combine under the last segment when the base ends with a slash.
        var baseText = options.BaseUrl.AbsoluteUri;
        _baseUrl = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/");
        _retrying = AvatarApiResilience.BuildRetrying(options, time, logger, serviceName);
        _singleAttempt = AvatarApiResilience.BuildSingleAttempt(options, time);
        _creating = AvatarApiResilience.BuildCreating();
        _closing = AvatarApiResilience.BuildClosing(options, time, logger, serviceName);
        SecretRegistry.Shared.Register(options.ApiKey);
    }

    /// <summary>The settings the transport was built with.</summary>
    public AvatarApiOptions Options => _options;

    /// <summary>Where the transport logs.</summary>
    public ILogger Logger => _logger;

    /// <summary>"HeyGen" or "LiveAvatar", used in logs and errors.</summary>
    public string ServiceName { get; }

    public TimeProvider TimeProvider => _time;

    /// <summary>Sends the call and returns the HTTP status with the envelope's <c>data</c> (null when the body had none).</summary>
    /// <remarks>Traced as one activity (the HttpClient's activities, one per attempt, are its children) and timed in
    /// <c>heygen.api.request.duration</c>; tags name the operation, status and session, never a key, token or URL.</remarks>
    public async Task<ApiResult> SendAsync(AvatarApiCall call, CancellationToken cancellationToken)
    {
        using Activity? activity = HeyGenTelemetry.Source.StartActivity($"{ServiceName} {call.Operation}", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("heygen.api.service", ServiceName);
            activity.SetTag("heygen.api.operation", call.Operation);
            activity.SetTag("pipeline.avatar.session.id", call.SessionId);
        }

        long started = _time.GetTimestamp();
        try
        {
            ApiResult result = await SendCoreAsync(call, cancellationToken).ConfigureAwait(false);
            HeyGenMetrics.Default.RecordRequest(ServiceName, call.Operation, result.Status, errorType: null, _time.GetElapsedTime(started));
            activity?.SetTag("http.response.status_code", result.Status).SetStatus(ActivityStatusCode.Ok);
            return result;
        }
        catch (Exception ex)
        {
            int status = ex is HeyGenApiException failed ? failed.Status : 0;
            string errorType = ex.GetType().Name;
            HeyGenMetrics.Default.RecordRequest(ServiceName, call.Operation, status, errorType, _time.GetElapsedTime(started));
            activity?.SetTag("http.response.status_code", status).SetTag("error.type", errorType).SetStatus(ActivityStatusCode.Error, errorType);
            throw;
        }
    }

    private async Task<ApiResult> SendCoreAsync(AvatarApiCall call, CancellationToken cancellationToken)
    {
        var pipeline = call switch
        {
            { Creates: true } => _creating,
            { Closes: true } => _closing,
            { Retryable: true } => _retrying,
            _ => _singleAttempt,
        };
        SecretRegistry.Shared.Register(call.BearerToken);
        var context = ResilienceContextPool.Shared.Get(call.Operation, cancellationToken);
        context.Properties.Set(AvatarApiResilience.OperationKey, call.Operation);
        if (call.Closes)
        {
            context.Properties.Set(AvatarApiResilience.DeadlineKey, _time.GetTimestamp() + (long)(_options.CloseTimeout.TotalSeconds * _time.TimestampFrequency));
        }

        var attempts = new StrongBox<int>();
        var started = _time.GetTimestamp();
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
            ApiLog.Cancelled(_logger, ServiceName, call.Operation);
            throw;
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or HttpRequestException or IOException or OperationCanceledException)
        {
            var what = ex switch
            {
                TimeoutRejectedException => $"timed out after {_options.AttemptTimeout.TotalMilliseconds:0} ms",
                OperationCanceledException => "timed out (HttpClient.Timeout)",
                _ => $"connection failed: {ex.Message}",
            };
            throw Fail(call, $"{ServiceName} {call.Operation} failed: no response ({what}) after {attempts.Value} attempt(s).",
                status: 0, body: null, code: null, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var elapsedMs = (long)_time.GetElapsedTime(started).TotalMilliseconds;
            ApiLog.Answered(_logger, ServiceName, call.Operation, status, elapsedMs, attempts.Value);

            if (!response.IsSuccessStatusCode)
            {
                var (code, message) = ResponseEnvelope.ParseErrorBody(body);
                var what = $"HTTP {status} ({ReasonOf(response.StatusCode)})";
                if (attempts.Value > 1)
                {
                    what += $" after {attempts.Value} attempts over {_time.GetElapsedTime(started).TotalSeconds:0.#} s";
                }

                throw Fail(call, Describe(call, what, code, message, body), status, body, code);
            }

            if (call.AllowEmptyBody && string.IsNullOrWhiteSpace(body))
            {
                return new ApiResult(status, null);
            }

            ResponseEnvelope envelope;
            try
            {
                envelope = ResponseEnvelope.ParseSuccessBody(body, _options.SuccessCodes);
            }
            catch (JsonException ex)
            {
                throw Fail(call, $"{ServiceName} {call.Operation} failed: HTTP {status} but the body is not a JSON envelope ({ex.Message}).",
                    status, body, code: null, ex);
            }

            if (!envelope.IsSuccess)
            {
                throw Fail(call, Describe(call, $"HTTP {status} with an error envelope", envelope.Code, envelope.Message, body), status, body, envelope.Code);
            }

            return new ApiResult(status, envelope.Data);
        }
    }

    /// <summary>Deserializes the envelope's <c>data</c>, failing clearly when it is missing or lacks required fields.</summary>
    public T ParseData<T>(AvatarApiCall call, ApiResult result, JsonTypeInfo<T> typeInfo)
    {
        if (result.Data is not { } element)
        {
            throw Fail(call, $"{ServiceName} {call.Operation} succeeded but its response has no 'data'.", result.Status, body: null, code: null);
        }

        // Tokens the service issued are secrets from now on, wherever they are echoed (a stop's error body, a log).
        SecretRedactor.RegisterSecretsIn(element);

        var missing = MissingRequiredFields(element, typeInfo);
        if (missing.Count > 0)
        {
            throw Fail(call, $"{ServiceName} {call.Operation} returned a response that does not match the documented shape: " +
                $"missing required field(s) {string.Join(", ", missing)} in 'data'.", result.Status, element.GetRawText(), code: null);
        }

        try
        {
            return element.Deserialize(typeInfo)
                ?? throw new JsonException("'data' is null.");
        }
        catch (JsonException ex)
        {
            // JsonException names the missing or mistyped field and its path, never the values.
            throw Fail(call, $"{ServiceName} {call.Operation} returned a response that does not match the documented shape: {ex.Message}",
                result.Status, element.GetRawText(), code: null, ex);
        }
    }

    /// <summary>The wire names of required members that are absent or null, so the error names every one of them.</summary>
    private static List<string> MissingRequiredFields<T>(JsonElement element, JsonTypeInfo<T> typeInfo)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return [$"(expected an object, got {element.ValueKind})"];
        }

        List<string> missing = [];
        foreach (var property in typeInfo.Properties)
        {
            if (property.IsRequired
                && (!element.TryGetProperty(property.Name, out var value) || value.ValueKind == JsonValueKind.Null))
            {
                missing.Add(property.Name);
            }
        }

        return missing;
    }

    /// <summary>Serializes a request body with the source-generated metadata.</summary>
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    /// <summary>Redacts this transport's secrets (and any token-looking text) out of a message for logs.</summary>
    public string Redact(string text, string? extraSecret = null) =>
        SecretRedactor.Redact(text, [_options.ApiKey, extraSecret]);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(AvatarApiCall call, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(call.Method, new Uri(_baseUrl, call.Path));
        request.Headers.Accept.Add(JsonMediaType);
        if (call.BearerToken is { } bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        else
        {
            request.Headers.TryAddWithoutValidation(_apiKeyHeader, _options.ApiKey);
        }

        if (call.Body is { } body)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        ApiLog.Sending(_logger, ServiceName, call.Method, call.Path, call.SessionId ?? "-");

        // ResponseContentRead: the body is read inside the attempt, so the attempt timeout and retries cover it.
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    private string Describe(AvatarApiCall call, string what, string? code, string? message, string body)
    {
        var text = $"{ServiceName} {call.Operation} failed: {what}";
        if (code is not null)
        {
            text += $", code {code}";
        }

        text += message is not null
            ? $": {SecretRedactor.Cap(message, 256)}"
            : string.IsNullOrWhiteSpace(body) ? "." : $". Response: {SecretRedactor.Cap(body, Math.Min(_options.MaxErrorBodyLength, 256))}";
        return text;
    }

    private HeyGenApiException Fail(AvatarApiCall call, string message, int status, string? body, string? code, Exception? inner = null)
    {
        string?[] secrets = [_options.ApiKey, call.BearerToken];
        var safeMessage = SecretRedactor.Redact(message, secrets);
        var safeBody = SecretRedactor.Redact(body, secrets, _options.MaxErrorBodyLength);
        ApiLog.CallFailed(_logger, safeMessage);
        return new HeyGenApiException(safeMessage, status, safeBody, code, call.Operation, inner);
    }

    private static string ReasonOf(HttpStatusCode status) => status.ToString();
}

/// <summary>A successful call's HTTP status and envelope <c>data</c>.</summary>
internal readonly record struct ApiResult(int Status, JsonElement? Data);
