using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Core.Tests.Support;

namespace Pipeline.Core.Tests.Processors;

public sealed class LifecycleTests
{
    [Fact]
    public async Task EndFrame_drains_every_preceding_frame_before_the_run_ends()
    {
        var gate = new GateProcessor(f => f is NumberFrame { Number: 0 });
        var run = new PipelineHarness(new FramePipeline(gate, new RecordingProcessor()));
        await run.QueueAsync(new NumberFrame(0), new NumberFrame(1), new NumberFrame(2), new EndFrame());
        run.Start();
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);

        run.Running!.IsCompleted.Should().BeFalse("the EndFrame is queued behind the blocked frame");
        gate.Release();

        (await run.Finished).Should().Be(PipelineFinishReason.Ended);
        run.DataAtEnd.Cast<NumberFrame>().Select(f => f.Number).Should().Equal(0, 1, 2);
        run.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task CancelFrame_stops_a_processor_blocked_in_ProcessFrameAsync()
    {
        var gate = new GateProcessor(f => f is NumberFrame);
        var after = new RecordingProcessor();
        var run = new PipelineHarness(new FramePipeline(gate, after));
        run.Start();
        await run.QueueAsync(new NumberFrame(0), new NumberFrame(1), new EndFrame());
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);

        await run.Task.QueueFrameAsync(new CancelFrame { Reason = "test" });

        (await run.Finished).Should().Be(PipelineFinishReason.Cancelled);
        (await gate.CancelledWhileBlocked.Task.WaitAsync(TestTimeouts.Hang)).IsCancellationRequested.Should().BeTrue();
        after.Seen.OfType<NumberFrame>().Should().BeEmpty();
        run.AtEnd.Should().ContainSingle(f => f is CancelFrame);
        run.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Cancelling_the_run_token_cancels_the_pipeline_and_throws()
    {
        var gate = new GateProcessor(f => f is NumberFrame);
        using var cts = new CancellationTokenSource();
        var run = new PipelineHarness(new FramePipeline(gate));
        run.Start(cts.Token);
        await run.QueueAsync(new NumberFrame(0));
        await gate.Entered.Task.WaitAsync(TestTimeouts.Hang);

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => run.Finished).Should().ThrowAsync<OperationCanceledException>();
        run.AtEnd.Should().Contain(f => f is CancelFrame);
        run.Task.RunningTaskCount.Should().Be(0);
        run.Task.HasFinished.Should().BeTrue();
    }

    [Fact]
    public async Task Data_queued_before_the_run_waits_for_the_StartFrame_to_be_processed()
    {
        var starter = new SlowStarter();
        var run = new PipelineHarness(new FramePipeline(starter), new PipelineTaskOptions { AllowInterruptions = false, EnableMetrics = true });
        await run.QueueAsync(new NumberFrame(1), new EndFrame());

        await run.Start().Finished;

        starter.Order.Should().Equal("start-begin", "start-end", "NumberFrame");
        starter.StartSettings!.AllowInterruptions.Should().BeFalse();
        starter.MetricsEnabled.Should().BeTrue();
    }

    [Fact]
    public async Task Events_report_start_finish_and_errors()
    {
        var run = new PipelineHarness(new FramePipeline(new ThrowingProcessor(f => f is NumberFrame)));
        bool started = false;
        PipelineFinishedEventArgs? finished = null;
        run.Task.PipelineStarted += (_, _) => started = true;
        run.Task.PipelineFinished += (_, e) => finished = e;
        await run.QueueAsync(new NumberFrame(1), new EndFrame());

        await run.Start().Finished;

        started.Should().BeTrue();
        finished!.Reason.Should().Be(PipelineFinishReason.Ended);
        run.Errors.Should().ContainSingle();
    }

    [Fact]
    public async Task A_task_runs_only_once()
    {
        var run = new PipelineHarness(new RecordingProcessor());
        await run.QueueAsync(new EndFrame());
        await run.Start().Finished;

        await FluentActions.Awaiting(() => run.Task.RunAsync()).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task Background_tasks_are_cancelled_and_awaited_when_the_run_ends()
    {
        var owner = new BackgroundOwner();
        var run = new PipelineHarness(owner);
        await run.QueueAsync(new EndFrame());

        await run.Start().Finished;

        owner.BackgroundObservedCancellation.Task.IsCompletedSuccessfully.Should().BeTrue();
        run.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task A_background_task_that_throws_becomes_an_error_frame()
    {
        var owner = new BackgroundOwner { Throw = true };
        var run = new PipelineHarness(owner);
        run.Start();
        await WaitFor(() => run.Errors.Count > 0);
        await run.QueueAsync(new EndFrame());
        await run.Finished;

        run.Errors.Should().ContainSingle().Which.Message.Should().Contain("background task 'ticker' failed");
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Hang);
        while (!condition())
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    private sealed class SlowStarter : FrameProcessor
    {
        public List<string> Order { get; } = [];

        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is StartFrame)
            {
                lock (Order) Order.Add("start-begin");
                await Task.Delay(50, cancellationToken);
                lock (Order) Order.Add("start-end");
            }
            else if (frame is NumberFrame)
            {
                lock (Order) Order.Add(nameof(NumberFrame));
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }

    private sealed class BackgroundOwner : FrameProcessor
    {
        public bool Throw { get; init; }

        public TaskCompletionSource BackgroundObservedCancellation { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is StartFrame)
            {
                _ = StartBackgroundTask("ticker", async ct =>
                {
                    if (Throw)
                    {
                        throw new InvalidOperationException("ticker broke");
                    }

                    try
                    {
                        await Task.Delay(Timeout.Infinite, ct);
                    }
                    finally
                    {
                        BackgroundObservedCancellation.TrySetResult();
                    }
                });
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}

public sealed class CancelDuringStartTests
{
    [Fact]
    public async Task A_CancelFrame_cancels_a_StartFrame_that_is_still_being_processed()
    {
        var stuck = new StuckStarter();
        var run = new PipelineHarness(stuck);
        run.Start();
        await stuck.Entered.Task.WaitAsync(TestTimeouts.Hang);

        run.Task.Cancel();

        (await run.Finished).Should().Be(PipelineFinishReason.Cancelled);
        (await stuck.Cancelled.Task.WaitAsync(TestTimeouts.Hang)).Should().BeTrue();
        run.Task.RunningTaskCount.Should().Be(0);
    }

    private sealed class StuckStarter : Pipeline.Core.Processors.FrameProcessor
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async ValueTask ProcessFrameAsync(Pipeline.Core.Frames.Frame frame, Pipeline.Core.Processors.FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is Pipeline.Core.Frames.StartFrame)
            {
                Entered.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Cancelled.TrySetResult(true);
                    throw;
                }
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
