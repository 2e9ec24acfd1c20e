using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.LiveKit.Diagnostics;

/// <summary>
/// The names under which Pipeline.LiveKit publishes its metrics and traces: pass them to OpenTelemetry's <c>AddMeter</c>
/// and <c>AddSource</c>.
/// </summary>
/// <remarks>
/// Instruments: <c>livekit.room.connect.duration</c> (s; joining the avatar's room, <c>error.type</c> on failure);
/// <c>livekit.avatar_worker.start.duration</c> (s; dispatching an avatar worker until it is ready, with
/// <c>livekit.avatar_worker.provider</c>, and <c>error.type</c> on failure); <c>livekit.avatar_worker.clear_buffer.timeouts</c>
/// (interruptions the worker did not confirm in time: the speech was taken as finished).
/// Activities: <c>livekit.room.connect</c>, <c>livekit.avatar_worker.start</c>, <c>livekit.avatar_worker.close</c>.
/// Tags never carry a URL, an API key or an access token.
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

    /// <summary>The tag naming an avatar worker's provider (e.g. "Beyond Presence").</summary>
    internal const string ProviderTag = "livekit.avatar_worker.provider";

    internal static readonly Histogram<double> WorkerStartDuration = s_meter.CreateHistogram<double>("livekit.avatar_worker.start.duration", "s",
        "Time from dispatching an avatar worker to its being ready in the room; error.type is set on failure.");

    internal static readonly Counter<long> ClearBufferTimeouts = s_meter.CreateCounter<long>("livekit.avatar_worker.clear_buffer.timeouts", "{interruption}",
        "Interruptions whose lk.clear_buffer the avatar worker did not confirm in time (the speech was taken as finished).");
}
