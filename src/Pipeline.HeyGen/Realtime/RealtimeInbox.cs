using Microsoft.Extensions.Logging;
using Pipeline.HeyGen.Realtime.Events;
using Pipeline.HeyGen.Realtime.Protocol;

namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// Turns what the server sends into events the client may hand on: parses each message, counts and logs the malformed
/// and the unknown, and redacts and caps the service's own texts (errors and warnings quote what they were given).
/// </summary>
internal sealed class RealtimeInbox(HeyGenRealtimeOptions options, ILogger logger)
{
    private const int MaxServerTextLength = 256;

    private string[] _secrets = [.. options.KnownSecrets];
    private long _malformedCount;
    private long _unknownCount;

    public long MalformedCount => Interlocked.Read(ref _malformedCount);

    public long UnknownCount => Interlocked.Read(ref _unknownCount);

    /// <summary>The endpoint's token values are secrets too (they are in the URL the service may echo).</summary>
    public void AddEndpointSecrets(Uri endpoint) =>
        _secrets = [.. _secrets, .. endpoint.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2 && RealtimeUrl.IsSecret(Uri.UnescapeDataString(pair[0])))
            .Select(pair => Uri.UnescapeDataString(pair[1]))];

    public void OnMalformed(int length, string reason) =>
        RealtimeLog.MalformedMessage(logger, length, reason, Interlocked.Increment(ref _malformedCount));

    /// <summary>The event in <paramref name="utf8"/>, redacted; null when the message is not one (counted and logged).</summary>
    public RealtimeServerEvent? Read(ReadOnlyMemory<byte> utf8)
    {
        switch (RealtimeServerEventParser.TryParse(utf8, out var serverEvent, out var detail))
        {
            case ParseOutcome.Malformed:
                OnMalformed(utf8.Length, detail ?? "malformed");
                return null;
            case ParseOutcome.UnknownType:
                Interlocked.Increment(ref _unknownCount);
                RealtimeLog.UnknownEvent(logger, detail);
                return null;
        }

        RealtimeLog.ServerEvent(logger, serverEvent!.Type, serverEvent.EventId);
        switch (serverEvent)
        {
            case RealtimeErrorEvent error:
                error = error with { Message = Redact(error.Message) };
                RealtimeLog.ServerError(logger, error.ErrorType, error.Code, error.SourceEventId, error.Message);
                return error;
            case RealtimeWarningEvent warning:
                warning = warning with { Message = Redact(warning.Message) };
                RealtimeLog.ServerWarning(logger, warning.Message);
                return warning;
            default:
                return serverEvent;
        }
    }

    private string? Redact(string? text) => text is null ? null : Api.Http.SecretRedactor.Redact(text, _secrets, MaxServerTextLength);
}
