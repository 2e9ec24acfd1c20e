using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Pipeline.Core.Processors;

namespace Pipeline.Core.Diagnostics;

/// <summary>
/// Pipeline.Core's instruments on one <see cref="Meter"/>: the one an <see cref="IMeterFactory"/> gives (with DI), or
/// a process-wide one (without). Recording is allocation-free (tags are passed as values, not arrays).
/// </summary>
internal sealed class CoreMetrics
{
    private static readonly ConditionalWeakTable<IMeterFactory, CoreMetrics> s_byFactory = new();
    private static readonly Lazy<CoreMetrics> s_default = new(() => new CoreMetrics(new Meter(CoreTelemetry.MeterName, CoreTelemetry.Version)));

    // Weak: a processor that is never disposed must not be kept alive by the gauge.
    private readonly ConditionalWeakTable<FrameProcessor, object?> _queues = new();

    private CoreMetrics(Meter meter)
    {
        FramesDropped = meter.CreateCounter<long>("pipeline.frames.dropped", "{frame}",
            "Frames a processor discarded, by reason (interruption, processor cancelled/ended/disposed, output not ready).");
        meter.CreateObservableGauge("pipeline.processor.queue.depth", ObserveQueueDepths, "{frame}",
            "Downstream data and control frames waiting in a processor's input queue.");
        Ttfb = meter.CreateHistogram<double>("pipeline.processor.ttfb", "s",
            "Time from a processor's request to the first byte of its answer (e.g. TTS start to the avatar's first media).");
        ProcessingDuration = meter.CreateHistogram<double>("pipeline.processor.processing.duration", "s",
            "Time a processor spent on one unit of work.");
        SessionsOpened = meter.CreateCounter<long>("pipeline.avatar.sessions.opened", "{session}", "Avatar sessions opened (billed).");
        SessionsClosed = meter.CreateCounter<long>("pipeline.avatar.sessions.closed", "{session}", "Avatar sessions closed.");
        SessionsCloseFailed = meter.CreateCounter<long>("pipeline.avatar.sessions.close_failed", "{session}",
            "Avatar sessions whose close reported an error: the provider may keep them open and billed until it times them out.");
        SessionsOpen = meter.CreateUpDownCounter<long>("pipeline.avatar.sessions.open", "{session}", "Avatar sessions currently open.");
        SessionStartDuration = meter.CreateHistogram<double>("pipeline.avatar.session.start.duration", "s",
            "Time to open an avatar session (billing session, control connection, media room); error.type is set on failure.");
        SpeakLatency = meter.CreateHistogram<double>("pipeline.avatar.speak.latency", "s",
            "Time from the start of an utterance (TTS start or its first audio) to the avatar speaking.");
        Utterances = meter.CreateCounter<long>("pipeline.avatar.utterances", "{utterance}",
            "Avatar utterances finished, by outcome (spoken, interrupted, lost).");
        Interruptions = meter.CreateCounter<long>("pipeline.avatar.interruptions", "{interruption}",
            "Interruptions that cut off avatar speech in progress.");
    }

    /// <summary>The instruments on the process-wide meter (no <see cref="IMeterFactory"/>).</summary>
    public static CoreMetrics Default => s_default.Value;

    public Counter<long> FramesDropped { get; }

    public Histogram<double> Ttfb { get; }

    public Histogram<double> ProcessingDuration { get; }

    public Counter<long> SessionsOpened { get; }

    public Counter<long> SessionsClosed { get; }

    public Counter<long> SessionsCloseFailed { get; }

    public UpDownCounter<long> SessionsOpen { get; }

    public Histogram<double> SessionStartDuration { get; }

    public Histogram<double> SpeakLatency { get; }

    public Counter<long> Utterances { get; }

    public Counter<long> Interruptions { get; }

    /// <summary>The instruments on <paramref name="factory"/>'s meter (one set per factory), or <see cref="Default"/>.</summary>
    public static CoreMetrics For(IMeterFactory? factory) =>
        factory is null
            ? Default
            : s_byFactory.GetValue(factory, static f => new CoreMetrics(f.Create(new MeterOptions(CoreTelemetry.MeterName) { Version = CoreTelemetry.Version })));

    public void FrameDropped(string processorType, string reason) =>
        FramesDropped.Add(1, new(TelemetryTags.ProcessorType, processorType), new(TelemetryTags.DropReason, reason));

    /// <summary>Reports <paramref name="processor"/>'s queue depth until <see cref="UntrackQueue"/> (or until it is collected).</summary>
    public void TrackQueue(FrameProcessor processor) => _queues.AddOrUpdate(processor, null);

    public void UntrackQueue(FrameProcessor processor) => _queues.Remove(processor);

    private IEnumerable<Measurement<int>> ObserveQueueDepths()
    {
        foreach (KeyValuePair<FrameProcessor, object?> entry in _queues)
        {
            yield return new Measurement<int>(entry.Key.QueuedFrameCount, new KeyValuePair<string, object?>(TelemetryTags.Processor, entry.Key.Name));
        }
    }
}
