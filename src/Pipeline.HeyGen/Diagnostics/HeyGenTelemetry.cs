using System.Diagnostics;

namespace Pipeline.HeyGen.Diagnostics;

/// <summary>
/// The names under which Pipeline.HeyGen publishes its metrics and traces: pass them to OpenTelemetry's <c>AddMeter</c>
/// and <c>AddSource</c>.
/// </summary>
/// <remarks>
/// Instruments: <c>heygen.api.request.duration</c> (s; by operation, service and HTTP status) and
/// <c>heygen.realtime.reconnects</c> (by outcome). Activities: one per REST call, named after the service and operation
/// (e.g. <c>HeyGen streaming.new</c>), parent of the <see cref="HttpClient"/>'s own HTTP activities (one per attempt).
/// Tags carry the operation, the HTTP status and the session id (not a secret); never the API key, a token or a URL.
/// </remarks>
public static class HeyGenTelemetry
{
    /// <summary>The name of Pipeline.HeyGen's meter.</summary>
    public const string MeterName = "Pipeline.HeyGen";

    /// <summary>The name of Pipeline.HeyGen's activity source.</summary>
    public const string ActivitySourceName = "Pipeline.HeyGen";

    internal static readonly string? Version = typeof(HeyGenTelemetry).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);
}
