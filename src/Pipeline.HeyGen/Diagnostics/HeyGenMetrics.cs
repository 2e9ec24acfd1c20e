using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Pipeline.HeyGen.Diagnostics;

/// <summary>
/// Pipeline.HeyGen's instruments on one <see cref="Meter"/>: the one an <see cref="IMeterFactory"/> gives (the
/// pipeline's, with DI), or a process-wide one.
/// </summary>
internal sealed class HeyGenMetrics
{
    private static readonly ConditionalWeakTable<IMeterFactory, HeyGenMetrics> s_byFactory = new();
    private static readonly Lazy<HeyGenMetrics> s_default = new(() => new HeyGenMetrics(new Meter(HeyGenTelemetry.MeterName, HeyGenTelemetry.Version)));

    private HeyGenMetrics(Meter meter)
    {
        RequestDuration = meter.CreateHistogram<double>("heygen.api.request.duration", "s",
            "Duration of a HeyGen/LiveAvatar REST call, retries included, by operation, service and HTTP status (0: no response).");
        Reconnects = meter.CreateCounter<long>("heygen.realtime.reconnects", "{reconnect}",
            "Realtime websocket reconnects after an unexpected close, by outcome (reconnected, failed).");
    }

    /// <summary>The instruments on the process-wide meter.</summary>
    public static HeyGenMetrics Default => s_default.Value;

    public Histogram<double> RequestDuration { get; }

    public Counter<long> Reconnects { get; }

    public static HeyGenMetrics For(IMeterFactory? factory) =>
        factory is null
            ? Default
            : s_byFactory.GetValue(factory, static f => new HeyGenMetrics(f.Create(new MeterOptions(HeyGenTelemetry.MeterName) { Version = HeyGenTelemetry.Version })));

    public void RecordRequest(string service, string operation, int status, string? errorType, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "heygen.api.service", service },
            { "heygen.api.operation", operation },
            { "http.response.status_code", status },
        };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        RequestDuration.Record(elapsed.TotalSeconds, tags);
    }

    public void Reconnect(string outcome) => Reconnects.Add(1, new KeyValuePair<string, object?>("pipeline.outcome", outcome));
}
