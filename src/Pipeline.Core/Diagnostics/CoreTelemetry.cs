using System.Diagnostics;

namespace Pipeline.Core.Diagnostics;

/// <summary>
/// The names under which Pipeline.Core publishes its metrics (<see cref="System.Diagnostics.Metrics.Meter"/>) and traces
/// (<see cref="ActivitySource"/>): pass them to OpenTelemetry's <c>AddMeter</c> and <c>AddSource</c>.
/// </summary>
/// <remarks>
/// Instruments: frames dropped (by reason), processor queue depths, processor time to first byte and processing time,
/// avatar sessions opened/closed/failed to close/open, avatar session start time, speak latency, utterances (by
/// outcome) and interruptions. Activities: <c>avatar.session</c> (the whole session) with its children
/// <c>avatar.session.start</c>, <c>avatar.utterance</c> and <c>avatar.session.close</c>. Tags never carry API keys,
/// tokens or URLs; avatar session ids (not secrets) are tagged on activities only, never on metrics.
/// </remarks>
public static class CoreTelemetry
{
    /// <summary>The name of Pipeline.Core's meter.</summary>
    public const string MeterName = "Pipeline.Core";

    /// <summary>The name of Pipeline.Core's activity source.</summary>
    public const string ActivitySourceName = "Pipeline.Core";

    /// <summary>The package's version, given to its meter and activity source.</summary>
    internal static readonly string? Version = typeof(CoreTelemetry).Assembly.GetName().Version?.ToString();

    /// <summary>The activity source (activities are sampled by listeners; there is no factory for them).</summary>
    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);
}
