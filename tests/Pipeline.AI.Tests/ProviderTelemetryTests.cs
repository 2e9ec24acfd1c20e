using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Pipeline.AI.Diagnostics;
using Pipeline.AI.Llm;
using Pipeline.AI.Tests.Fakes;
using Pipeline.AI.Tts;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.AI.Tests;

/// <summary>
/// Each LLM/TTS request is one activity on Pipeline.AI's source and is timed on its meter (through the pipeline's meter
/// factory), with its outcome.
/// </summary>
public sealed class ProviderTelemetryTests : IMeterFactory
{
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly List<Meter> _meters = [];

    [Fact]
    public async Task A_reply_and_its_speech_are_traced_and_timed_per_request()
    {
        using MeterListener meters = ListenToOwnMeters();
        using ActivityListener activities = ListenToActivities();
        var chat = new FakeChatClient("telemetry-llm", _ => FakeChatClient.Pieces("Hello", " there."));
        var speech = new FakeTextToSpeechClient("telemetry-tts", 16_000, TimeSpan.FromMilliseconds(10));
        await using var run = PipelineRun.Start(new PipelineTaskOptions { MeterFactory = this }, null,
            new LLMProcessor(chat), new SentenceAggregator(), new TextToSpeechProcessor(speech));

        await run.SendAsync(new TranscriptionFrame("Hi", "user", DateTimeOffset.UnixEpoch));
        await run.WaitForAsync<TTSStoppedFrame>("the reply is spoken");
        await run.EndAsync();

        Values("pipeline.ai.request.duration", ("pipeline.ai.kind", "LLM"), ("pipeline.ai.provider", "telemetry-llm"), ("pipeline.outcome", "ok"))
            .Should().ContainSingle();
        Values("pipeline.ai.ttfb", ("pipeline.ai.kind", "LLM"), ("pipeline.ai.provider", "telemetry-llm")).Should().ContainSingle();
        Values("pipeline.ai.request.duration", ("pipeline.ai.kind", "TTS"), ("pipeline.ai.provider", "telemetry-tts"), ("pipeline.outcome", "ok"))
            .Should().ContainSingle();
        Activity llm = _activities.Should().ContainSingle(a => (string?)a.GetTagItem("pipeline.ai.provider") == "telemetry-llm").Which;
        llm.Source.Name.Should().Be(AITelemetry.ActivitySourceName);
        llm.OperationName.Should().Be("LLM GetStreamingResponseAsync");
        llm.Status.Should().Be(ActivityStatusCode.Ok);
        llm.Events.Select(e => e.Name).Should().Contain("first_result");
        _activities.Should().ContainSingle(a => (string?)a.GetTagItem("pipeline.ai.provider") == "telemetry-tts")
            .Which.OperationName.Should().Be("TTS GetStreamingAudioAsync");
    }

    [Fact]
    public async Task A_failed_request_is_an_error_activity_and_a_duration_with_its_error_type()
    {
        using MeterListener meters = ListenToOwnMeters();
        using ActivityListener activities = ListenToActivities();
        var chat = new FakeChatClient("telemetry-failing-llm", _ => throw new InvalidOperationException("the provider is down (request text: Hi)"));
        await using var run = PipelineRun.Start(new PipelineTaskOptions { MeterFactory = this }, null, new LLMProcessor(chat));

        await run.SendAsync(new TranscriptionFrame("Hi", "user", DateTimeOffset.UnixEpoch));
        await run.WaitForAsync<LLMFullResponseEndFrame>("the failed reply ends");
        await run.EndAsync();

        Values("pipeline.ai.request.duration", ("pipeline.outcome", "error"), ("error.type", nameof(InvalidOperationException)))
            .Should().ContainSingle();
        Activity failed = _activities.Should().ContainSingle(a => (string?)a.GetTagItem("pipeline.ai.provider") == "telemetry-failing-llm").Which;
        failed.Status.Should().Be(ActivityStatusCode.Error);
        failed.StatusDescription.Should().Be(nameof(InvalidOperationException), "the provider's message may quote the request: only its type is kept");
    }

    Meter IMeterFactory.Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Scope = this });
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    void IDisposable.Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
        }
    }

    private IReadOnlyList<double> Values(string instrument, params (string Key, object Value)[] tags) =>
        [.. _measurements
            .Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(mt => mt.Key == t.Key && Equals(mt.Value, t.Value))))
            .Select(m => m.Value)];

    private MeterListener ListenToOwnMeters()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == this)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
        listener.Start();
        return listener;
    }

    private ActivityListener ListenToActivities()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AITelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
