using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Pipeline.AI.Diagnostics;

/// <summary>Pipeline.AI's instruments on the pipeline's meter (from its <see cref="IMeterFactory"/>) or a process-wide one.</summary>
internal sealed class AIMetrics
{
    private static readonly ConditionalWeakTable<IMeterFactory, AIMetrics> s_byFactory = new();
    private static readonly Lazy<AIMetrics> s_default = new(() => new AIMetrics(new Meter(AITelemetry.MeterName, AITelemetry.Version)));

    private AIMetrics(Meter meter)
    {
        Ttfb = meter.CreateHistogram<double>("pipeline.ai.ttfb", "s",
            "Time from an LLM/TTS/STT request to the provider's first streamed result, by kind and provider.");
        RequestDuration = meter.CreateHistogram<double>("pipeline.ai.request.duration", "s",
            "Duration of an LLM/TTS/STT request, by kind, provider and outcome (ok, cancelled, timeout, error).");
    }

    public Histogram<double> Ttfb { get; }

    public Histogram<double> RequestDuration { get; }

    public static AIMetrics For(IMeterFactory? factory) =>
        factory is null
            ? s_default.Value
            : s_byFactory.GetValue(factory, static f => new AIMetrics(f.Create(new MeterOptions(AITelemetry.MeterName) { Version = AITelemetry.Version })));
}
