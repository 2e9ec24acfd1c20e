using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Metrics;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Pipelines;

public sealed class RunnerTests
{
    [Fact]
    public async Task The_idle_timeout_cancels_a_quiet_pipeline_on_a_fake_clock()
    {
        var clock = new FakeTimeProvider();
        var run = new PipelineHarness(new RecordingProcessor(), new PipelineTaskOptions { IdleTimeout = TimeSpan.FromMinutes(5) }, clock);
        bool idle = false;
        run.Task.IdleTimeoutReached += (_, _) => idle = true;
        run.Start();
        await run.WhenAtEnd(f => f is StartFrame);

        clock.Advance(TimeSpan.FromMinutes(4));
        await run.QueueAsync(new TextFrame("activity"));
        await run.WhenAtEnd(f => f is TextFrame);
        clock.Advance(TimeSpan.FromMinutes(4));
        idle.Should().BeFalse("activity 4 minutes ago reset the idle clock");

        clock.Advance(TimeSpan.FromMinutes(1.5));

        (await run.Finished).Should().Be(PipelineFinishReason.IdleTimeout);
        idle.Should().BeTrue();
        run.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Metrics_frames_carry_ttfb_when_enabled_and_nothing_when_disabled()
    {
        var clock = new FakeTimeProvider();
        FrameProcessorTestResult on = await FrameProcessorTester.RunAsync(
            new TimedProcessor(clock), [new TextFrame("x")],
            new FrameProcessorTesterOptions { TimeProvider = clock, TaskOptions = new PipelineTaskOptions { EnableMetrics = true } });
        FrameProcessorTestResult off = await FrameProcessorTester.RunAsync(
            new TimedProcessor(clock), [new TextFrame("x")], new FrameProcessorTesterOptions { TimeProvider = clock });

        MetricsFrame metrics = on.Downstream.OfType<MetricsFrame>().Should().ContainSingle().Subject;
        metrics.Data.Should().ContainSingle().Which.Should().BeOfType<TtfbMetricsData>()
            .Which.Value.Should().Be(TimeSpan.FromMilliseconds(250));
        off.Downstream.OfType<MetricsFrame>().Should().BeEmpty();
    }

    [Fact]
    public async Task The_tester_returns_what_a_processor_emitted_in_each_direction()
    {
        FrameProcessorTestResult result = await FrameProcessorTester.RunAsync(
            new ThrowingProcessor(f => f is NumberFrame { Number: 2 }),
            [new NumberFrame(1), new NumberFrame(2), new NumberFrame(3)]);

        result.Downstream.Cast<NumberFrame>().Select(n => n.Number).Should().Equal(1, 3);
        result.Upstream.Should().ContainSingle().Which.Should().BeOfType<ErrorFrame>();
        result.Reason.Should().Be(PipelineFinishReason.Ended);
        result.TasksLeftRunning.Should().Be(0);
    }

    [Fact]
    public async Task Frames_queued_after_the_run_finished_are_dropped_without_error()
    {
        var run = new PipelineHarness(new RecordingProcessor());
        await run.QueueAsync(new EndFrame());
        await run.Start().Finished;

        await run.Task.QueueFrameAsync(new TextFrame("late"));

        run.DataAtEnd.Should().BeEmpty();
    }

    [Fact]
    public async Task Many_pipelines_run_concurrently_and_leave_no_task_behind()
    {
        var runs = Enumerable.Range(0, 20).Select(_ => new PipelineHarness(new FramePipeline(
            Enumerable.Range(0, 5).Select(i => (FrameProcessor)new RecordingProcessor()), "p"))).ToList();
        foreach (var run in runs)
        {
            await run.QueueAsync([.. Enumerable.Range(0, 200).Select(i => new NumberFrame(i)), new EndFrame()]);
            run.Start();
        }

        foreach (var run in runs)
        {
            (await run.Finished).Should().Be(PipelineFinishReason.Ended);
            run.DataAtEnd.Should().HaveCount(200);
            run.Task.RunningTaskCount.Should().Be(0);
        }
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
