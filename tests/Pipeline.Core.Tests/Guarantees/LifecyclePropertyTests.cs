using CsCheck;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.Core.Tests.Support;
using Xunit.Abstractions;

namespace Pipeline.Core.Tests.Guarantees;

/// <summary>Runs alone: it counts unobserved task exceptions process-wide, which other tests running beside it could raise.</summary>
[CollectionDefinition(nameof(LifecyclePropertyCollection), DisableParallelization = true)]
public sealed class LifecyclePropertyCollection;

/// <summary>
/// Issue 12's randomized lifecycle property, the Core half: random sequences of frames, cancels, token cancels,
/// disposes and processor faults, with random timing, against Core pipelines. After every case RunAsync has returned
/// within a bound, no task is left running, nothing the caller did threw, and no task exception went unobserved.
/// Set PIPELINE_LONG_PROPERTY_RUN=1 for a long run (5 000 cases instead of 150).
/// </summary>
[Collection(nameof(LifecyclePropertyCollection))]
public sealed class LifecyclePropertyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ReturnBound = TimeSpan.FromSeconds(10);

    public enum Fault { None, ThrowOnData, FatalOnData, ThrowOnStart, ThrowOnEnd, ThrowOnStop, ThrowOnCancel, ThrowOnInterruption, BackgroundThrows }

    public enum Action { Data, Interruption, End, Stop, Cancel, CancelToken, Dispose, Ping }

    public enum Finish { Cancel, CancelToken, Dispose, End }

    public sealed record Step(Action Action, int Timing);

    public sealed record Case(Fault Fault, int FaultAt, bool QueueBeforeRun, Step[] Steps, Finish Finish)
    {
        public override string ToString() =>
            $"{Fault}@{FaultAt} before-run={QueueBeforeRun} [{string.Join(", ", Steps.Select(s => $"{s.Action}/{s.Timing}"))}] then {Finish}";
    }

    private static readonly Gen<Step> GenStep = Gen.Select(
        Gen.Frequency((6, Gen.Const(Action.Data)), (2, Gen.Const(Action.Interruption)), (1, Gen.Const(Action.End)),
            (1, Gen.Const(Action.Stop)), (1, Gen.Const(Action.Cancel)), (1, Gen.Const(Action.CancelToken)),
            (1, Gen.Const(Action.Dispose)), (1, Gen.Const(Action.Ping))),
        Gen.Int[0, 3],
        (action, timing) => new Step(action, timing));

    private static readonly Gen<Case> GenCase = Gen.Select(
        Gen.Enum<Fault>(), Gen.Int[0, 6], Gen.Bool, GenStep.Array[0, 16], Gen.Enum<Finish>(),
        (fault, at, before, steps, finish) => new Case(fault, at, before, steps, finish));

    [Fact]
    public async Task Every_random_lifecycle_returns_in_bounded_time_leaves_no_task_and_no_unobserved_exception()
    {
        bool longRun = Environment.GetEnvironmentVariable("PIPELINE_LONG_PROPERTY_RUN") is "1" or "true";
        int unobserved = 0;
        var unobservedMessages = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            Interlocked.Increment(ref unobserved);
            unobservedMessages.Enqueue(e.Exception.ToString());
        }

        // Garbage left by tests that ran before this one is collected first, so only this test's tasks are counted.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await GenCase.SampleAsync(RunCaseAsync, writeLine: output.WriteLine, iter: longRun ? 5_000 : 150, threads: 2);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        unobserved.Should().Be(0, string.Join(Environment.NewLine, unobservedMessages));
    }

    private static async Task RunCaseAsync(Case c)
    {
        var faulty = new FaultyProcessor(c.Fault, c.FaultAt);
        var pipeline = new FramePipeline(
            new RecordingProcessor(options: new FrameProcessorOptions { QueueCapacity = 2 }), faulty, new RecordingProcessor());
        var task = new PipelineTask(pipeline, new PipelineTaskOptions { CancelTimeout = TimeSpan.FromSeconds(5) });
        using var cts = new CancellationTokenSource();
        var disposals = new List<Task>();
        int number = 0;

        if (c.QueueBeforeRun)
        {
            await task.QueueFrameAsync(new NumberFrame(number++));
        }

        Task<PipelineFinishReason> run = task.RunAsync(cts.Token);
        Task<int> countAtReturn = run.ContinueWith(
            _ => task.RunningTaskCount, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        foreach (Step step in c.Steps)
        {
            await WaitAsync(step.Timing);
            await DoAsync(step.Action);
        }

        await DoAsync(c.Finish switch
        {
            Finish.Cancel => Action.Cancel,
            Finish.CancelToken => Action.CancelToken,
            Finish.Dispose => Action.Dispose,
            _ => Action.End,
        });

        Task ended = await Task.WhenAny(run, Task.Delay(ReturnBound));
        ended.Should().BeSameAs(run, $"RunAsync must return within {ReturnBound.TotalSeconds} s ({c})");
        try
        {
            await run;
        }
        catch (Exception ex) when (ex is PipelineException or OperationCanceledException)
        {
            // The ends a run may legitimately have: a fatal error, or its token cancelled.
        }

        (await countAtReturn).Should().Be(0, $"no task outlives the run ({c}); still running: {string.Join(", ", task.RunningTaskNames)}");
        await Task.WhenAll(disposals).WaitAsync(ReturnBound);
        await task.QueueFrameAsync(new InterruptionFrame()); // after the end: ignored, never thrown
        await task.DisposeAsync();

        async Task DoAsync(Action action)
        {
            switch (action)
            {
                case Action.Data:
                    await task.QueueFrameAsync(new NumberFrame(number++));
                    break;
                case Action.Interruption:
                    await task.QueueFrameAsync(new InterruptionFrame());
                    break;
                case Action.End:
                    await task.QueueFrameAsync(new EndFrame());
                    break;
                case Action.Stop:
                    await task.QueueFrameAsync(new StopFrame());
                    break;
                case Action.Cancel:
                    task.Cancel();
                    break;
                case Action.CancelToken:
                    await cts.CancelAsync();
                    break;
                case Action.Dispose:
                    disposals.Add(task.DisposeAsync().AsTask());
                    break;
                case Action.Ping:
                    await task.QueueFrameAsync(new PingFrame());
                    break;
            }
        }
    }

    private static Task WaitAsync(int timing) => timing switch
    {
        1 => Task.Run(static () => { }),
        2 => YieldAsync(),
        3 => Task.Delay(1),
        _ => Task.CompletedTask,
    };

    private static async Task YieldAsync() => await Task.Yield();

    /// <summary>Fails in the configured way on the configured frame; otherwise passes frames on.</summary>
    private sealed class FaultyProcessor(Fault fault, int at) : FrameProcessor
    {
        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            bool onData = frame is NumberFrame n && n.Number == at;
            switch (fault)
            {
                case Fault.ThrowOnData when onData:
                case Fault.ThrowOnStart when frame is StartFrame:
                case Fault.ThrowOnEnd when frame is EndFrame:
                case Fault.ThrowOnStop when frame is StopFrame:
                case Fault.ThrowOnCancel when frame is CancelFrame:
                case Fault.ThrowOnInterruption when frame is InterruptionFrame:
                    throw new InvalidOperationException($"{fault} on {frame.Name}");
                case Fault.FatalOnData when onData:
                    await PushErrorAsync($"{fault} on {frame.Name}", fatal: true);
                    return;
                case Fault.BackgroundThrows when frame is StartFrame:
                    _ = StartBackgroundTask("faulty", async ct =>
                    {
                        await Task.Yield();
                        throw new InvalidOperationException("background fault");
                    });
                    break;
                default:
                    break;
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
