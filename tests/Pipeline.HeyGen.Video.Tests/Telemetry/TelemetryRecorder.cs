using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pipeline.HeyGen.Video.Tests.Telemetry;

/// <summary>
/// Observes the pipeline's telemetry in process: it is the pipeline's <see cref="IMeterFactory"/> (so measurements of
/// other tests' pipelines running in parallel are told apart by the meter's scope), listens to its meters and to the
/// process-wide <c>Pipeline.*</c> meters, and records every stopped activity of the <c>Pipeline.*</c> and HttpClient
/// sources.
/// </summary>
internal sealed class TelemetryRecorder : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly MeterListener _meterListener = new();
    private readonly ActivityListener _activityListener;
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();
    private readonly ConcurrentQueue<Activity> _activities = new();

    public TelemetryRecorder()
    {
        _meterListener.InstrumentPublished = (instrument, listener) =>
        {
            object? scope = instrument.Meter.Scope;
            if (scope == this || (scope is null && instrument.Meter.Name.StartsWith("Pipeline.", StringComparison.Ordinal)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _meterListener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meterListener.Start();

        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Pipeline.", StringComparison.Ordinal) || source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_activityListener);
    }

    /// <summary>Every measurement seen: of this factory's meters, and of other tests' pipelines on the process-wide meters.</summary>
    public IReadOnlyList<RecordedMeasurement> AllMeasurements => [.. _measurements];

    /// <summary>Every activity stopped while recording (including those of tests running in parallel).</summary>
    public IReadOnlyList<Activity> Activities => [.. _activities];

    /// <summary>The measurements of <paramref name="instrument"/> taken on this factory's meters (this test's pipeline only).</summary>
    public IReadOnlyList<RecordedMeasurement> Own(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument && m.Scope == this)];

    /// <summary>The sum of <paramref name="instrument"/>'s measurements on this factory's meters.</summary>
    public double Sum(string instrument) => Own(instrument).Sum(m => m.Value);

    /// <summary>Calls the observable instruments' callbacks now (their measurements are recorded like the others).</summary>
    public void ObserveGauges() => _meterListener.RecordObservableInstruments();

    Meter IMeterFactory.Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, instrument.Meter.Scope, value, tags.ToArray()));
}

/// <summary>One measurement: its instrument, the scope of the meter it was taken on, its value and tags.</summary>
internal sealed record RecordedMeasurement(string Instrument, object? Scope, double Value, KeyValuePair<string, object?>[] Tags)
{
    public object? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value;
}
