using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Guarantees;

/// <summary>Issue 12, item 6: a processor that throws on a lifecycle frame cannot swallow it and hang the run.</summary>
public sealed class LifecycleFrameFailureTests
{
    [Theory]
    [InlineData(nameof(StartFrame))]
    [InlineData(nameof(EndFrame))]
    [InlineData(nameof(StopFrame))]
    public async Task A_processor_that_throws_on_a_lifecycle_frame_ends_the_run_with_a_fatal_error_naming_it(string lifecycle)
    {
        var thrower = new ThrowingProcessor(f => f.GetType().Name == lifecycle, "lifecycle broke");
        await using var h = new PipelineHarness(new FramePipeline(new RecordingProcessor(), thrower, new RecordingProcessor()));
        await h.QueueAsync(new TextFrame("x"), lifecycle == nameof(StopFrame) ? new StopFrame() : new EndFrame());

        PipelineFinish finish = await h.Start().FinishAsync();

        finish.Reason.Should().Be(PipelineFinishReason.Failed);
        finish.FatalError.Should().NotBeNull();
        finish.FatalError!.ProcessorName.Should().Be(thrower.Name);
        finish.FatalError.Message.Should().Contain(thrower.Name).And.Contain(lifecycle).And.Contain("lifecycle broke");
        finish.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task A_processor_that_throws_on_a_CancelFrame_still_lets_the_cancel_end_the_run()
    {
        var thrower = new ThrowingProcessor(f => f is CancelFrame, "cancel broke");
        var gate = new GateProcessor(f => f is NumberFrame);
        await using var h = new PipelineHarness(
            new FramePipeline(gate, thrower, new RecordingProcessor()),
            new PipelineTaskOptions { CancelTimeout = TimeSpan.FromMinutes(10) });
        await h.Start().QueueAsync(new NumberFrame(1));
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);

        h.Task.Cancel();
        PipelineFinish finish = await h.FinishAsync();

        finish.Reason.Should().Be(PipelineFinishReason.Failed, "the cancel reached the end and the failure was reported as fatal");
        finish.FatalError!.ProcessorName.Should().Be(thrower.Name);
        h.AtEnd.Should().Contain(f => f is CancelFrame);
        finish.RunningTaskCount.Should().Be(0);
    }
}
