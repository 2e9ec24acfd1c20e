using Pipeline.Core.Frames;
using Pipeline.Core.Observers;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Pipelines;

/// <summary>The ownership rule of pooled frames (docs/frame-buffers.md), run through real pipelines.</summary>
public sealed class PooledFrameOwnershipTests
{
    private const int Width = 320;
    private const int Height = 180;

    private readonly FrameBufferPool _pool = new(new FrameBufferPoolOptions { ThrowOnDoubleRelease = true });

    [Fact]
    public async Task Frames_pushed_through_processors_are_released_by_the_end_of_the_pipeline()
    {
        var seen = new RecordingProcessor();
        var task = new PipelineTask(new FramePipeline(new RecordingProcessor(), seen));
        await task.QueueFramesAsync([PooledFrame(1), PooledFrame(2), PooledFrame(3), new EndFrame()]);

        (await task.RunAsync().WaitAsync(TestTimeouts.Hang)).Should().Be(PipelineFinishReason.Ended);

        seen.Seen.OfType<OutputImageRawFrame>().Should().HaveCount(3);
        _pool.Rented.Should().Be(3);
        _pool.Outstanding.Should().Be(0, "the end of the pipeline is the last consumer");
        _pool.DoubleReleases.Should().Be(0);
    }

    [Fact]
    public async Task A_frame_a_processor_consumes_without_pushing_is_released_when_its_processing_ends()
    {
        var consumer = new ConsumingProcessor();
        var task = new PipelineTask(new FramePipeline(consumer));
        await task.QueueFramesAsync([PooledFrame(9), new EndFrame()]);

        await task.RunAsync().WaitAsync(TestTimeouts.Hang);

        consumer.FirstByte.Should().Be(9, "the pixels are valid during ProcessFrameAsync");
        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task A_processor_that_keeps_a_frame_past_ProcessFrameAsync_retains_it_and_its_release_returns_it()
    {
        var keeper = new KeepingProcessor();
        var task = new PipelineTask(new FramePipeline(keeper, new RecordingProcessor()));
        await task.QueueFramesAsync([PooledFrame(5), new EndFrame()]);

        await task.RunAsync().WaitAsync(TestTimeouts.Hang);

        OutputImageRawFrame kept = keeper.Kept.Should().ContainSingle().Subject;
        kept.Image.Span[0].Should().Be(5, "the keeper's reference keeps the pixels after the frame passed the end");
        _pool.Outstanding.Should().Be(1);
        kept.Release();
        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task Frames_dropped_by_an_interruption_and_the_frame_interrupted_in_flight_are_released()
    {
        var gate = new GateProcessor(f => f is OutputImageRawFrame image && image.Image.Span[0] == 0);
        var task = new PipelineTask(new FramePipeline(gate, new RecordingProcessor()));
        Task<PipelineFinishReason> running = task.RunAsync();
        await task.QueueFramesAsync([PooledFrame(0), PooledFrame(1), PooledFrame(2), PooledFrame(3)]);
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);

        await task.QueueFrameAsync(new InterruptionFrame());
        await gate.CancelledWhileBlocked.Task.WaitAsync(TestTimeouts.Hang);
        await task.QueueFrameAsync(new EndFrame());
        await running.WaitAsync(TestTimeouts.Hang);

        gate.DroppedByInterruption.Should().Be(3);
        _pool.Rented.Should().Be(4);
        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task Frames_still_queued_when_the_run_is_cancelled_are_released()
    {
        var gate = new GateProcessor(f => f is OutputImageRawFrame);
        var task = new PipelineTask(new FramePipeline(gate, new RecordingProcessor()));
        Task<PipelineFinishReason> running = task.RunAsync();
        await task.QueueFramesAsync([PooledFrame(1), PooledFrame(2), PooledFrame(3)]);
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);

        task.Cancel();
        await running.WaitAsync(TestTimeouts.Hang);

        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task Frames_queued_into_a_task_that_never_runs_or_already_finished_are_released()
    {
        var unrun = new PipelineTask(new FramePipeline(new RecordingProcessor()));
        await unrun.QueueFrameAsync(PooledFrame(1));
        await unrun.DisposeAsync();

        var finished = new PipelineTask(new FramePipeline(new RecordingProcessor()));
        await finished.QueueFrameAsync(new EndFrame());
        await finished.RunAsync().WaitAsync(TestTimeouts.Hang);
        await finished.QueueFrameAsync(PooledFrame(2));

        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task A_fan_out_retains_once_per_extra_push_and_the_buffer_returns_after_the_last_copy()
    {
        var tee = new TeeProcessor(retain: true);
        var after = new RecordingProcessor();
        var task = new PipelineTask(new FramePipeline(tee, after));
        await task.QueueFramesAsync([PooledFrame(4), new EndFrame()]);

        await task.RunAsync().WaitAsync(TestTimeouts.Hang);

        after.Seen.OfType<OutputImageRawFrame>().Should().HaveCount(2).And.OnlyContain(f => ReferenceEquals(f, after.Seen[1]));
        _pool.Outstanding.Should().Be(0);
        _pool.DoubleReleases.Should().Be(0);
    }

    [Fact]
    public async Task A_fan_out_that_forgets_to_retain_is_reported_as_a_double_release_not_silently_reused()
    {
        var lenient = new FrameBufferPool(new FrameBufferPoolOptions { ThrowOnDoubleRelease = false });
        var task = new PipelineTask(new FramePipeline(new TeeProcessor(retain: false), new RecordingProcessor()));
        FrameBuffer pixels = lenient.Rent(PixelFormats.BufferSize(PixelFormat.Rgb24, Width, Height));
        await task.QueueFramesAsync([new OutputImageRawFrame(pixels, Width, Height, PixelFormat.Rgb24), new EndFrame()]);

        await task.RunAsync().WaitAsync(TestTimeouts.Hang);

        lenient.DoubleReleases.Should().Be(1);
        lenient.Outstanding.Should().Be(0, "the memory went back once");
    }

    [Fact]
    public async Task An_observer_reads_pushed_frames_and_one_that_keeps_a_frame_retains_it()
    {
        var observer = new KeepingObserver();
        var task = new PipelineTask(
            new FramePipeline(new RecordingProcessor(), new RecordingProcessor()),
            new PipelineTaskOptions { Observers = [observer] });
        await task.QueueFramesAsync([PooledFrame(6), new EndFrame()]);

        await task.RunAsync().WaitAsync(TestTimeouts.Hang);

        observer.FirstBytes.Should().NotBeEmpty().And.OnlyContain(b => b == 6);
        observer.Kept!.Image.Span[0].Should().Be(6);
        _pool.Outstanding.Should().Be(1, "the observer's own reference");
        observer.Kept.Release();
        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task A_frame_a_processor_fails_on_is_released()
    {
        var task = new PipelineTask(new FramePipeline(new ThrowingProcessor(f => f is OutputImageRawFrame)));
        await task.QueueFramesAsync([PooledFrame(1), new EndFrame()]);

        await task.RunAsync().WaitAsync(TestTimeouts.Hang);

        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task The_test_harness_keeps_recorded_frames_readable_until_it_is_disposed()
    {
        var run = new PipelineHarness(new FramePipeline(new RecordingProcessor()));
        await run.QueueAsync(PooledFrame(8), new EndFrame());
        await run.Start().Finished;

        run.DataAtEnd.OfType<OutputImageRawFrame>().Single().Image.Span[0].Should().Be(8);
        await run.DisposeAsync();

        _pool.Outstanding.Should().Be(0);
    }

    private OutputImageRawFrame PooledFrame(byte fill)
    {
        FrameBuffer pixels = _pool.Rent(PixelFormats.BufferSize(PixelFormat.Rgb24, Width, Height));
        pixels.Span.Fill(fill);
        return new OutputImageRawFrame(pixels, Width, Height, PixelFormat.Rgb24);
    }

    /// <summary>Reads images and pushes them nowhere (an output transport's shape).</summary>
    private sealed class ConsumingProcessor : FrameProcessor
    {
        public int FirstByte { get; private set; } = -1;

        protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is ImageRawFrame image)
            {
                FirstByte = image.Image.Span[0];
                return default;
            }

            return PushFrameAsync(frame, direction, cancellationToken);
        }
    }

    /// <summary>Keeps every image (a recorder's shape) and passes it on.</summary>
    private sealed class KeepingProcessor : FrameProcessor
    {
        public List<OutputImageRawFrame> Kept { get; } = [];

        protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is OutputImageRawFrame image)
            {
                image.Retain();
                Kept.Add(image);
            }

            return PushFrameAsync(frame, direction, cancellationToken);
        }
    }

    /// <summary>Pushes each image twice (a fan-out), taking the extra reference first unless told not to.</summary>
    private sealed class TeeProcessor(bool retain) : FrameProcessor
    {
        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is OutputImageRawFrame)
            {
                if (retain)
                {
                    frame.Retain();
                }

                await PushFrameAsync(frame, direction, cancellationToken);
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }

    private sealed class KeepingObserver : IFrameObserver
    {
        private readonly Lock _gate = new();

        public List<byte> FirstBytes { get; } = [];

        public OutputImageRawFrame? Kept { get; private set; }

        public ValueTask OnFramePushedAsync(FramePushed pushed, CancellationToken cancellationToken)
        {
            if (pushed.Frame is OutputImageRawFrame image)
            {
                lock (_gate)
                {
                    FirstBytes.Add(image.Image.Span[0]);
                    if (Kept is null)
                    {
                        image.Retain();
                        Kept = image;
                    }
                }
            }

            return default;
        }
    }
}

/// <summary>A live stream through a pipeline reuses a handful of pooled arrays instead of one per frame.</summary>
public sealed class PooledFrameReuseTests
{
    [Fact]
    public async Task A_stream_of_pooled_frames_with_a_few_in_flight_reuses_a_handful_of_arrays()
    {
        var pool = new FrameBufferPool(new FrameBufferPoolOptions { ThrowOnDoubleRelease = true });
        var source = new StreamingSource(pool, frames: 100);
        var next = new RecordingProcessor(options: new FrameProcessorOptions { QueueCapacity = 2 });
        var task = new PipelineTask(new FramePipeline(source, next));
        Task<PipelineFinishReason> running = task.RunAsync();

        await source.Done.Task.WaitAsync(TestTimeouts.Hang);
        await task.QueueFrameAsync(new EndFrame());
        await running.WaitAsync(TestTimeouts.Hang);

        pool.Rented.Should().Be(100);
        pool.Allocated.Should().BeLessThanOrEqualTo(6, "at most the next processor's queue, the frame it processes and the one being pushed are out at once");
        pool.Outstanding.Should().Be(0);
    }

    /// <summary>Pushes pooled frames from its own task once started, as an avatar service pumps a room's video.</summary>
    private sealed class StreamingSource(FrameBufferPool pool, int frames) : FrameProcessor
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is StartFrame)
            {
                _ = StartBackgroundTask("stream", async ct =>
                {
                    int size = PixelFormats.BufferSize(PixelFormat.I420, 320, 180);
                    for (int i = 0; i < frames; i++)
                    {
                        await PushFrameAsync(new OutputImageRawFrame(pool.Rent(size), 320, 180, PixelFormat.I420), FrameDirection.Downstream, ct);
                    }

                    Done.TrySetResult();
                });
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
