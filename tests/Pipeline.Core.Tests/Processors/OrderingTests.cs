using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Processors;

public sealed class OrderingTests
{
    [Fact]
    public async Task Data_frames_keep_their_order_through_ten_processors()
    {
        var processors = Enumerable.Range(0, 10).Select(i => (FrameProcessor)new RecordingProcessor($"p{i}", new FrameProcessorOptions { QueueCapacity = 8 })).ToArray();
        var run = new PipelineHarness(new FramePipeline(processors));
        Frame[] frames = [.. Enumerable.Range(0, 2_000).Select(i => new NumberFrame(i)), new EndFrame()];
        await run.QueueAsync(frames);

        (await run.Start().Finished).Should().Be(PipelineFinishReason.Ended);

        run.DataAtEnd.Cast<NumberFrame>().Select(f => f.Number).Should().Equal(Enumerable.Range(0, 2_000));
        run.AtEnd[^1].Should().BeOfType<EndFrame>();
        run.AtEnd[0].Should().BeOfType<StartFrame>();
        run.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task A_system_frame_overtakes_data_frames_queued_behind_a_busy_processor()
    {
        var gate = new GateProcessor(f => f is NumberFrame { Number: 0 });
        var run = new PipelineHarness(new FramePipeline(gate, new RecordingProcessor()));
        run.Start();
        await run.QueueAsync(new NumberFrame(0), new NumberFrame(1), new NumberFrame(2), new NumberFrame(3));
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);
        Task<Frame> pingArrived = run.WhenAtEnd(f => f is PingFrame);

        await run.Task.QueueFrameAsync(new PingFrame());
        await pingArrived;

        run.DataAtEnd.Should().ContainSingle().Which.Should().BeOfType<PingFrame>("the data frames are still queued behind frame 0");
        gate.Release();
        await run.QueueAsync(new EndFrame());
        await run.Finished;
        run.DataAtEnd.Skip(1).Cast<NumberFrame>().Select(f => f.Number).Should().Equal(0, 1, 2, 3);
    }

    [Fact]
    public async Task A_frame_queued_after_a_system_frame_is_processed_after_it()
    {
        var slowStart = new SlowSystemFrameProcessor();
        var recorder = new RecordingProcessor();
        var run = new PipelineHarness(new FramePipeline(slowStart, recorder));
        run.Start();
        await run.QueueAsync(new NumberFrame(1));
        await run.WhenAtEnd(f => f is NumberFrame);

        await run.Task.QueueFrameAsync(new PingFrame());
        await run.QueueAsync(new NumberFrame(2));
        await slowStart.PingEntered.Task.WaitAsync(TestTimeouts.Hang);
        recorder.Seen.OfType<NumberFrame>().Should().ContainSingle("frame 2 waits for the ping being processed");
        slowStart.ReleasePing.TrySetResult();
        await run.QueueAsync(new EndFrame());
        await run.Finished;

        recorder.Seen.Where(f => f is PingFrame or NumberFrame).Select(f => f is NumberFrame n ? n.Number.ToString() : "ping")
            .Should().Equal("1", "ping", "2");
    }

    [Fact]
    public async Task Backpressure_keeps_a_queue_within_its_capacity()
    {
        var options = new FrameProcessorOptions { QueueCapacity = 4 };
        var bounded = new BoundedGate(options, f => f is NumberFrame { Number: 0 });
        var producer = new RecordingProcessor("producer");
        var run = new PipelineHarness(new FramePipeline(producer, bounded));
        run.Start();
        await run.QueueAsync([.. Enumerable.Range(0, 40).Select(i => new NumberFrame(i))]);
        await bounded.Entered.Task.WaitAsync(TestTimeouts.Hang);
        await WaitUntil(() => producer.Seen.OfType<NumberFrame>().Count() >= 5);

        producer.Seen.OfType<NumberFrame>().Count().Should().BeLessThan(40, "the producer is held back by the full queue");
        bounded.QueuedFrameCount.Should().BeLessThanOrEqualTo(4);
        bounded.Release();
        await run.QueueAsync(new EndFrame());
        await run.Finished;
        run.DataAtEnd.Should().HaveCount(40);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Hang);
        while (!condition())
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    private sealed class BoundedGate(FrameProcessorOptions options, Func<Frame, bool> blockOn) : FrameProcessor(null, options)
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (blockOn(frame))
            {
                Entered.TrySetResult();
                await _gate.Task.WaitAsync(cancellationToken);
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }

    private sealed class SlowSystemFrameProcessor : FrameProcessor
    {
        public TaskCompletionSource PingEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleasePing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is PingFrame)
            {
                PingEntered.TrySetResult();
                await ReleasePing.Task.WaitAsync(cancellationToken);
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
