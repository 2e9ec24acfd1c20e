using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Processors;

/// <summary>The processors' instruments on Pipeline.Core's meter, observed through the pipeline's own meter factory.</summary>
public sealed class ProcessorTelemetryTests
{
    [Fact]
    public async Task Frames_an_interruption_drops_are_counted_by_reason_and_processor_type()
    {
        using var meters = new MeterRecorder();
        var gate = new GateProcessor(f => f is NumberFrame { Number: 0 });
        var run = new PipelineHarness(new FramePipeline(gate, new RecordingProcessor()), new PipelineTaskOptions { MeterFactory = meters });
        run.Start();
        await run.QueueAsync(new NumberFrame(0), new NumberFrame(1), new NumberFrame(2), new NumberFrame(3), new EndFrame());
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);

        await run.Task.QueueFrameAsync(new InterruptionFrame());
        await run.Finished;

        gate.DroppedByInterruption.Should().Be(3);
        meters.Values("pipeline.frames.dropped", ("pipeline.drop.reason", "interruption"), ("pipeline.processor.type", nameof(GateProcessor)))
            .Sum().Should().Be(3);
    }

    [Fact]
    public async Task The_queue_depth_gauge_reports_each_processors_waiting_frames_until_it_is_disposed()
    {
        using var meters = new MeterRecorder();
        var gate = new GateProcessor(f => f is NumberFrame { Number: 0 });
        var run = new PipelineHarness(new FramePipeline(gate, new RecordingProcessor()), new PipelineTaskOptions { MeterFactory = meters });
        run.Start();
        await run.QueueAsync(new NumberFrame(0), new NumberFrame(1), new NumberFrame(2), new NumberFrame(3));
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);
        await FakeClockPump.WaitUntilAsync(() => gate.QueuedFrameCount == 3, "three frames waiting behind the blocked one", TestTimeouts.Hang);

        var depths = meters.Observe("pipeline.processor.queue.depth");

        depths.Should().ContainSingle(d => d.Tags.Any(t => t.Key == "pipeline.processor" && Equals(t.Value, gate.Name)))
            .Which.Value.Should().Be(3);
        gate.Release();
        await run.QueueAsync(new EndFrame());
        await run.Finished;
        await run.DisposeAsync();
        meters.Observe("pipeline.processor.queue.depth").Should().NotContain(d => d.Tags.Any(t => Equals(t.Value, gate.Name)),
            "a disposed processor has no queue to report");
    }

    [Fact]
    public async Task A_processors_time_to_first_byte_is_recorded_in_seconds_on_the_pipeline_clock()
    {
        using var meters = new MeterRecorder();
        var clock = new FakeTimeProvider();
        var run = new PipelineHarness(new FramePipeline(new TimedProcessor(clock)), new PipelineTaskOptions { MeterFactory = meters }, clock);
        run.Start();

        await run.QueueAsync(new TextFrame("hello"), new EndFrame());
        await run.Finished;

        meters.Values("pipeline.processor.ttfb", ("pipeline.processor.type", nameof(TimedProcessor))).Should().Equal(0.25);
        run.DataAtEnd.OfType<MetricsFrame>().Should().BeEmpty("metrics frames stay off unless the task enables them");
    }

    private sealed class TimedProcessor(FakeTimeProvider clock) : FrameProcessor
    {
        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is TextFrame)
            {
                StartTtfbMetrics();
                clock.Advance(TimeSpan.FromMilliseconds(250));
                await StopTtfbMetricsAsync();
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
