using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// Middleware that runs before every handler: records the request as it arrived, then applies the next injected
/// fault for its endpoint (delay, status, dropped connection or malformed body).
/// </summary>
internal sealed partial class RequestPipeline(EmulatorState state)
{
    private readonly ILogger _logger = (state.Options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RequestPipeline>();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var tag = context.GetEndpoint()?.Metadata.GetMetadata<EndpointTag>();
        await RecordAsync(context, tag).ConfigureAwait(false);

        var fault = tag is null ? null : state.Faults.TakeNext(tag.Endpoint);
        if (fault is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (fault.Kind == EmulatedFaultKind.DelayResponse)
        {
            await RunThenDelayAnswerAsync(context, next, fault.Delay).ConfigureAwait(false);
            return;
        }

        if (fault.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(fault.Delay, state.Time, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up; nobody is listening any more
            }
        }

        switch (fault.Kind)
        {
            case EmulatedFaultKind.DelayOnly:
                await next(context).ConfigureAwait(false);
                break;
            case EmulatedFaultKind.DropConnection:
                context.Abort();
                break;
            case EmulatedFaultKind.MalformedBody:
                await Wire.WriteRaw(context, StatusCodes.Status200OK, "{\"code\":100,\"message\":\"success\",\"data\":{\"session_id\":\"").ConfigureAwait(false);
                break;
            case EmulatedFaultKind.Status:
                await WriteStatusFaultAsync(context, tag!, fault).ConfigureAwait(false);
                break;
        }
    }

    private async Task RunThenDelayAnswerAsync(HttpContext context, RequestDelegate next, TimeSpan delay)
    {
        Stream original = context.Response.Body;
        using var buffered = new MemoryStream();
        context.Response.Body = buffered;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        try
        {
            await Task.Delay(delay, state.Time, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the client gave up: the work is done, the answer is lost
        }

        buffered.Position = 0;
        await buffered.CopyToAsync(original, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WriteStatusFaultAsync(HttpContext context, EndpointTag tag, EmulatedFault fault)
    {
        if (fault.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (fault.Body is { } body)
        {
            return Wire.WriteRaw(context, fault.StatusCode, body);
        }

        var reason = ReasonPhrases.GetReasonPhrase(fault.StatusCode);
        return tag.IsLiveAvatar
            ? Wire.LiveAvatarError(context, fault.StatusCode, reason)
            : Wire.StreamingError(context, fault.StatusCode, fault.StatusCode, reason);
    }

    private async Task RecordAsync(HttpContext context, EndpointTag? tag)
    {
        var request = context.Request;
        var body = string.Empty;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            request.EnableBuffering();
            using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            request.Body.Position = 0;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToString();
        }

        var unknown = tag is null ? [] : KnownFields.UnknownIn(tag.Endpoint, body);
        if (unknown.Count > 0)
        {
            // Names only, never values: a value may be a secret.
            UnknownFields(_logger, request.Path.Value ?? string.Empty, string.Join(", ", unknown));
        }

        state.Requests.Add(new RecordedRequest(tag?.Endpoint, request.Method, request.Path.Value ?? string.Empty,
            request.QueryString.Value ?? string.Empty, headers, body, state.Time.GetUtcNow()) { UnknownFields = unknown });
    }

    [LoggerMessage(1, LogLevel.Warning, "{Path}: unknown field(s) {Fields}; the real service would most likely ignore them and use the defaults")]
    private static partial void UnknownFields(ILogger logger, string path, string fields);
}
