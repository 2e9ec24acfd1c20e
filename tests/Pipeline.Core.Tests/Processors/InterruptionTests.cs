using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Processors;

public sealed class InterruptionTests
{
    [Fact]
    public async Task An_interruption_drops_queued_frames_but_not_the_EndFrame_and_cancels_the_frame_in_flight()
    {
        var gate = new GateProcessor(f => f is NumberFrame { Number: 0 });
        var after = new RecordingProcessor();
        var run = new PipelineHarness(new FramePipeline(gate, after));
        run.Start();
        await run.QueueAsync(new NumberFrame(0), new NumberFrame(1), new NumberFrame(2), new NumberFrame(3), new EndFrame());
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);

        await run.Task.QueueFrameAsync(new InterruptionFrame());

        (await run.Finished).Should().Be(PipelineFinishReason.Ended, "the EndFrame survived the interruption");
        (await gate.CancelledWhileBlocked.Task.WaitAsync(TestTimeouts.Hang)).IsCancellationRequested.Should().BeTrue();
        after.Seen.OfType<NumberFrame>().Should().BeEmpty();
        after.Seen.Should().Contain(f => f is InterruptionFrame);
        gate.DroppedByInterruption.Should().Be(3);
        run.Errors.Should().BeEmpty("an interrupted frame is not an error");
    }

    [Fact]
    public async Task Frames_queued_after_an_interruption_are_processed()
    {
        var gate = new GateProcessor(f => f is NumberFrame { Number: 0 });
        var run = new PipelineHarness(new FramePipeline(gate, new RecordingProcessor()));
        run.Start();
        await run.QueueAsync(new NumberFrame(0), new NumberFrame(1));
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);

        await run.Task.QueueFrameAsync(new InterruptionFrame());
        await run.QueueAsync(new NumberFrame(2), new EndFrame());

        await run.Finished;
        run.DataAtEnd.Select(f => f is NumberFrame n ? n.Number.ToString() : f.GetType().Name)
            .Should().Equal("InterruptionFrame", "2");
    }

    [Fact]
    public async Task An_interruption_passes_through_every_processor_and_clears_each_queue()
    {
        var first = new GateProcessor(f => f is NumberFrame { Number: 0 });
        var second = new GateProcessor(f => f is NumberFrame { Number: 100 });
        var run = new PipelineHarness(new FramePipeline(first, second));
        run.Start();
        await run.QueueAsync(new NumberFrame(100), new NumberFrame(101), new NumberFrame(0), new NumberFrame(1));
        await second.Entered.Task.WaitAsync(TestTimeouts.Hang);
        await first.Entered.Task.WaitAsync(TestTimeouts.Hang);

        await run.Task.QueueFrameAsync(new InterruptionFrame());
        await run.WhenAtEnd(f => f is InterruptionFrame);
        await run.QueueAsync(new EndFrame());
        await run.Finished;

        run.DataAtEnd.Should().ContainSingle().Which.Should().BeOfType<InterruptionFrame>();
        (first.DroppedByInterruption + second.DroppedByInterruption).Should().Be(2);
    }
}
