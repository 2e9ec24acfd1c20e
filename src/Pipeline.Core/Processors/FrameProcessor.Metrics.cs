using Pipeline.Core.Diagnostics;
using Pipeline.Core.Frames;
using Pipeline.Core.Metrics;

namespace Pipeline.Core.Processors;

// Time-to-first-byte and processing-time measurements: emitted as MetricsFrames when the StartFrame enables them, and
// recorded on Pipeline.Core's meter (pipeline.processor.ttfb, pipeline.processor.processing.duration) when a listener
// is subscribed to it.
public abstract partial class FrameProcessor
{
    private long _ttfbStart;
    private long _processingStart;
    private bool _ttfbReported;

    /// <summary>Starts a time-to-first-byte measurement (no-op when metrics are off or one is running).</summary>
    protected void StartTtfbMetrics()
    {
        if ((!MetricsEnabled && !_metrics.Ttfb.Enabled) || (StartSettings is { ReportOnlyInitialTtfb: true } && _ttfbReported))
        {
            return;
        }

        Interlocked.CompareExchange(ref _ttfbStart, TimeProvider.GetTimestamp(), 0);
    }

    /// <summary>Ends the running time-to-first-byte measurement and pushes it downstream as a <see cref="MetricsFrame"/>.</summary>
    /// <returns>The measured time, or null when none was running.</returns>
    protected async ValueTask<TimeSpan?> StopTtfbMetricsAsync()
    {
        long start = Interlocked.Exchange(ref _ttfbStart, 0);
        if (start == 0)
        {
            return null;
        }

        _ttfbReported = true;
        TimeSpan elapsed = TimeProvider.GetElapsedTime(start);
        _metrics.Ttfb.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TelemetryTags.ProcessorType, GetType().Name));
        if (MetricsEnabled)
        {
            await PushFrameAsync(new MetricsFrame([new TtfbMetricsData(Name, elapsed)])).ConfigureAwait(false);
        }

        return elapsed;
    }

    /// <summary>Starts a processing-time measurement (no-op when metrics are off).</summary>
    protected void StartProcessingMetrics()
    {
        if (MetricsEnabled || _metrics.ProcessingDuration.Enabled)
        {
            Interlocked.CompareExchange(ref _processingStart, TimeProvider.GetTimestamp(), 0);
        }
    }

    /// <summary>Ends the running processing-time measurement and pushes it downstream as a <see cref="MetricsFrame"/>.</summary>
    /// <returns>The measured time, or null when none was running.</returns>
    protected async ValueTask<TimeSpan?> StopProcessingMetricsAsync()
    {
        long start = Interlocked.Exchange(ref _processingStart, 0);
        if (start == 0)
        {
            return null;
        }

        TimeSpan elapsed = TimeProvider.GetElapsedTime(start);
        _metrics.ProcessingDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TelemetryTags.ProcessorType, GetType().Name));
        if (MetricsEnabled)
        {
            await PushFrameAsync(new MetricsFrame([new ProcessingMetricsData(Name, elapsed)])).ConfigureAwait(false);
        }

        return elapsed;
    }
}
