using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.LiveKit.Diagnostics;

/// <summary>
/// The names under which Pipeline.LiveKit publishes its metrics and traces: pass them to OpenTelemetry's <c>AddMeter</c>
/// and <c>AddSource</c>.
/// </summary>
/// <remarks>
/// Instruments: <c>livekit.room.connect.duration</c> (s; joining the avatar's room, <c>error.type</c> on failure).
/// Activities: <c>livekit.room.connect</c>. Tags never carry the room URL or the access token.
/// </remarks>
public static class LiveKitTelemetry
{
    /// <summary>The name of Pipeline.LiveKit's meter.</summary>
    public const string MeterName = "Pipeline.LiveKit";

    /// <summary>The name of Pipeline.LiveKit's activity source.</summary>
    public const string ActivitySourceName = "Pipeline.LiveKit";

    private static readonly string? Version = typeof(LiveKitTelemetry).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);

    // The connector is created without a pipeline (no meter factory reaches it), so its meter is process-wide.
    private static readonly Meter s_meter = new(MeterName, Version);

    internal static readonly Histogram<double> ConnectDuration = s_meter.CreateHistogram<double>("livekit.room.connect.duration", "s",
        "Time to join the avatar's LiveKit room through the native engine; error.type is set on failure.");
}
