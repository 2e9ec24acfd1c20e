using Pipeline.Core.Frames;
using Pipeline.Core.Observers;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Pipelines;

public sealed class PipelineTests
{
    [Fact]
    public async Task Pipelines_nest_and_frames_pass_through_every_inner_processor_in_order()
    {
        var inner = new FramePipeline(new SuffixProcessor("b"), new FramePipeline(new SuffixProcessor("c")));
        var run = new PipelineHarness(new FramePipeline(new SuffixProcessor("a"), inner, new SuffixProcessor("d")));
        await run.QueueAsync(new TextFrame(">"), new TextFrame("|"), new EndFrame());

        await run.Start().Finished;

        run.DataAtEnd.Cast<TextFrame>().Select(t => t.Text).Should().Equal(">abcd", "|abcd");
        run.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Upstream_frames_leave_a_nested_pipeline_at_its_start()
    {
        var upstreamSeen = new RecordingProcessor("outer-first");
        var run = new PipelineHarness(new FramePipeline(upstreamSeen, new FramePipeline(new ThrowingProcessor(f => f is NumberFrame))));
        await run.QueueAsync(new NumberFrame(1), new EndFrame());

        await run.Start().Finished;

        upstreamSeen.Seen.Should().Contain(f => f is ErrorFrame);
    }

    [Fact]
    public void A_processor_can_appear_only_once()
    {
        var p = new RecordingProcessor();
        FluentActions.Invoking(() => new FramePipeline(p, p)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Descendants_lists_nested_processors_depth_first()
    {
        var a = new RecordingProcessor("a");
        var b = new RecordingProcessor("b");
        var c = new RecordingProcessor("c");
        var pipeline = new FramePipeline(a, new FramePipeline(b), c);

        pipeline.Descendants().Where(p => p is RecordingProcessor).Select(p => p.Name).Should().Equal("a", "b", "c");
    }

    [Fact]
    public async Task A_processor_exception_becomes_a_non_fatal_ErrorFrame_upstream_naming_the_processor()
    {
        var thrower = new ThrowingProcessor(f => f is NumberFrame { Number: 1 }, "bad frame");
        var run = new PipelineHarness(new FramePipeline(thrower));
        await run.QueueAsync(new NumberFrame(1), new NumberFrame(2), new EndFrame());

        (await run.Start().Finished).Should().Be(PipelineFinishReason.Ended);

        ErrorFrame error = run.Errors.Should().ContainSingle().Subject;
        error.IsFatal.Should().BeFalse();
        error.ProcessorName.Should().Be(thrower.Name);
        error.Message.Should().Contain("bad frame");
        error.Exception.Should().BeOfType<InvalidOperationException>();
        run.DataAtEnd.Cast<NumberFrame>().Select(n => n.Number).Should().Equal(2);
    }

    [Fact]
    public async Task A_fatal_error_ends_the_run_and_surfaces_to_the_caller()
    {
        var fatal = new FatalOnFrame();
        var run = new PipelineHarness(new FramePipeline(fatal, new GateProcessor(_ => false)));
        PipelineFinishedEventArgs? finished = null;
        run.Task.PipelineFinished += (_, e) => finished = e;
        await run.QueueAsync(new NumberFrame(1));

        var thrown = await FluentActions.Awaiting(() => run.Start().Finished).Should().ThrowAsync<PipelineException>();

        thrown.Which.Error.ProcessorName.Should().Be(fatal.Name);
        thrown.Which.Message.Should().Contain("cannot continue");
        finished!.Reason.Should().Be(PipelineFinishReason.Failed);
        run.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Observers_see_every_hop_of_every_frame()
    {
        var observer = new CountingObserver();
        var pipeline = new FramePipeline(new RecordingProcessor("a"), new RecordingProcessor("b"), new RecordingProcessor("c"));
        var run = new PipelineHarness(pipeline, new PipelineTaskOptions { Observers = [observer] });
        var text = new TextFrame("x");
        await run.QueueAsync(text, new EndFrame());

        await run.Start().Finished;

        // head → pipeline source → a → b → c → (out of the pipeline) → tail: every push is seen.
        List<FramePushed> hops = observer.Hops.Where(h => h.Frame == text).ToList();
        hops.Select(h => h.Source.Name).Should().Equal(
            "PipelineTask::Head", $"{pipeline.Name}::Source", "a", "b", "c", pipeline.Name);
        hops[^1].Destination!.Name.Should().Be("PipelineTask::Tail");
        hops.Select(h => h.Source.Name).Should().ContainInOrder("a", "b", "c");
        hops.Should().OnlyContain(h => h.Direction == FrameDirection.Downstream);
        hops.Single(h => h.Source.Name == "a").Destination!.Name.Should().Be("b");
    }

    private sealed class CountingObserver : IFrameObserver
    {
        private readonly List<FramePushed> _hops = [];

        public IReadOnlyList<FramePushed> Hops
        {
            get
            {
                lock (_hops)
                {
                    return _hops.ToList();
                }
            }
        }

        public ValueTask OnFramePushedAsync(FramePushed pushed, CancellationToken cancellationToken)
        {
            lock (_hops)
            {
                _hops.Add(pushed);
            }

            return default;
        }
    }

    private sealed class FatalOnFrame : FrameProcessor
    {
        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is NumberFrame)
            {
                await PushErrorAsync("cannot continue", new IOException("disk"), fatal: true);
                return;
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
