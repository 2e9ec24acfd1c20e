using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Guarantees;

/// <summary>Issue 12, item 7: misuse throws a clear <see cref="InvalidOperationException"/> instead of hanging.</summary>
public sealed class MisuseTests
{
    [Fact]
    public void A_processor_linked_into_a_second_pipeline_is_refused()
    {
        var shared = new RecordingProcessor("shared");
        _ = new FramePipeline(shared);

        FluentActions.Invoking(() => new FramePipeline(shared))
            .Should().Throw<InvalidOperationException>()
            .WithMessage("*shared*already linked*new instance*");
    }

    [Fact]
    public void A_refused_pipeline_leaves_its_other_processors_free_to_use()
    {
        var shared = new RecordingProcessor("shared");
        var fresh = new RecordingProcessor("fresh");
        _ = new FramePipeline(shared);

        FluentActions.Invoking(() => new FramePipeline(fresh, shared)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => new FramePipeline(fresh)).Should().NotThrow();
    }

    [Fact]
    public async Task A_pipeline_reused_after_its_task_finished_is_refused()
    {
        var pipeline = new FramePipeline(new RecordingProcessor("once"));
        await using (var first = new PipelineHarness(pipeline))
        {
            await first.QueueAsync(new EndFrame());
            (await first.Start().Finished).Should().Be(PipelineFinishReason.Ended);
        }

        FluentActions.Invoking(() => new PipelineTask(pipeline))
            .Should().Throw<InvalidOperationException>()
            .WithMessage("*finished*new instance*");
    }

    [Fact]
    public async Task A_processor_reused_after_its_task_finished_is_refused_when_set_up_again()
    {
        var once = new RecordingProcessor("once");
        await using (var first = new PipelineHarness(once))
        {
            await first.QueueAsync(new EndFrame());
            await first.Start().Finished;
        }

        await FluentActions.Awaiting(() => once.SetupAsync(new Pipeline.Core.Processors.FrameProcessorSetup()))
            .Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("*once*finished*new instance*");
    }

    [Fact]
    public async Task RunAsync_after_DisposeAsync_is_refused()
    {
        var task = new PipelineTask(new RecordingProcessor());
        await task.QueueFrameAsync(new EndFrame());
        await task.DisposeAsync();
        await task.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Hang); // disposing twice is fine

        await FluentActions.Awaiting(() => task.RunAsync().WaitAsync(TestTimeouts.Hang))
            .Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("*disposed*new PipelineTask*");
    }

    [Fact]
    public async Task A_second_RunAsync_is_refused_with_what_to_do()
    {
        await using var h = new PipelineHarness(new RecordingProcessor());
        await h.QueueAsync(new EndFrame());
        await h.Start().Finished;

        await FluentActions.Awaiting(() => h.Task.RunAsync())
            .Should().ThrowAsync<InvalidOperationException>()
            .WithMessage("*runs once*new PipelineTask*");
    }
}
