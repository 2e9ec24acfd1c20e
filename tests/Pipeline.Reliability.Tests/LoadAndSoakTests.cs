using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Realtime;
using Pipeline.HeyGen.Video;
using Xunit.Abstractions;

namespace Pipeline.Reliability.Tests;

/// <summary>Many avatar pipelines at once, and many one after another, against one emulator: nothing leaks.</summary>
/// <remarks>In one collection so that its memory, handle and thread figures are not disturbed by other tests.</remarks>
[Collection(nameof(LoadAndSoakTests))]
[CollectionDefinition(nameof(LoadAndSoakTests), DisableParallelization = true)]
public sealed class LoadAndSoakTests(ITestOutputHelper output)
{
    private const int Rate = 24_000;
    private const long Slack = 24L << 20;

    [Fact]
    public async Task Fifty_concurrent_avatar_pipelines_all_complete_leak_no_session_and_return_memory_to_baseline()
    {
        const int Pipelines = 50;
        TimeSpan speech = TimeSpan.FromSeconds(3);

        await RunConcurrentAsync(2, speech); // warm-up: JIT, HTTP and socket pools, thread pool
        long baseline = Settle();
        int fdsBefore = OpenHandles();

        var wall = Stopwatch.StartNew();
        RunFigures run = await RunConcurrentAsync(Pipelines, speech);
        wall.Stop();
        long atDisposal = Settle();

        // Some memory is let go only as the last socket and server tasks wind down, a few hundred ms after disposal.
        var settling = Stopwatch.StartNew();
        long after = atDisposal;
        while (after - baseline >= Slack && settling.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(100);
            after = Settle();
        }

        int fdsAfter = OpenHandles();

        output.WriteLine($"{Pipelines} pipelines x {speech.TotalSeconds} s of speech (real clock, pacing off): {wall.ElapsedMilliseconds} ms wall");
        output.WriteLine($"sessions opened {run.Opened}, stopped {run.Stopped}, open at the end {run.OpenAtEnd}; errors {run.Errors}");
        output.WriteLine($"managed memory: baseline {Mb(baseline)}, peak while running {Mb(run.PeakMemory)}, right after disposal {Mb(atDisposal)}, " +
            $"{settling.ElapsedMilliseconds} ms later {Mb(after)} (delta {Mb(after - baseline)})");
        output.WriteLine($"open handles/fds: before {fdsBefore}, after {fdsAfter}; threads {Process.GetCurrentProcess().Threads.Count}, pool threads {ThreadPool.ThreadCount}, pending work items {ThreadPool.PendingWorkItemCount}");

        run.Opened.Should().Be(Pipelines);
        run.Stopped.Should().Be(Pipelines, "every session is stopped");
        run.OpenAtEnd.Should().Be(0, "no session leaks");
        run.Errors.Should().Be(0);
        run.RunningTasks.Should().Be(0, "no pipeline leaves a task running");
        run.AllSpeechDelivered.Should().BeTrue("each avatar received all of its speech");
        run.AllFinishedSpeaking.Should().BeTrue("each avatar finished speaking before its session closed");
        run.PeakMemory.Should().BeGreaterThan(baseline, "the figures measure something");
        (after - baseline).Should().BeLessThan(Slack, "memory returns to baseline once the pipelines are disposed (slack for pools and JIT)");
        (fdsAfter - fdsBefore).Should().BeLessThan(40, "sockets and timers are released");
    }

    [Fact]
    public async Task Two_hundred_short_sessions_back_to_back_grow_no_handles_tasks_or_memory()
    {
        const int Batches = 5;
        const int PerBatch = 40;
        var figures = new List<(long Memory, int Handles, int PoolThreads, int Threads)>();
        var wall = Stopwatch.StartNew();
        for (int batch = 0; batch < Batches; batch++)
        {
            var batchWall = Stopwatch.StartNew();
            (int opened, int open, int maxRunningTasks) = await RunSequentialAsync(PerBatch);
            long memory = Settle();
            int handles = OpenHandles();
            figures.Add((memory, handles, ThreadPool.ThreadCount, Process.GetCurrentProcess().Threads.Count));
            output.WriteLine($"batch {batch + 1}: {PerBatch} sessions in {batchWall.ElapsedMilliseconds} ms; opened {opened}, open at the end {open}, " +
                $"tasks left running {maxRunningTasks}; memory {Mb(memory)}, handles/fds {handles}, pool threads {ThreadPool.ThreadCount}, " +
                $"threads {Process.GetCurrentProcess().Threads.Count}, pending work items {ThreadPool.PendingWorkItemCount}");
            opened.Should().Be(PerBatch);
            open.Should().Be(0, "no session leaks");
            maxRunningTasks.Should().Be(0, "no task is left running after a session");
        }

        output.WriteLine($"{Batches * PerBatch} sessions in {wall.ElapsedMilliseconds} ms");

        // The first batch warms everything up; from then on nothing may grow.
        (long Memory, int Handles, int PoolThreads, int Threads) first = figures[0];
        (long Memory, int Handles, int PoolThreads, int Threads) last = figures[^1];
        (last.Memory - first.Memory).Should().BeLessThan(8L << 20, "memory does not grow with the number of sessions run");
        (last.Handles - first.Handles).Should().BeLessThan(20, "handles (sockets, timers, files) do not grow");
        (last.Threads - first.Threads).Should().BeLessThan(20, "threads do not pile up");
        last.PoolThreads.Should().BeLessThan(200, "the thread pool stays sane");
        ThreadPool.PendingWorkItemCount.Should().BeLessThan(50, "no work is piling up in the thread pool");
    }

    /// <summary>N pipelines at once against one emulator on the real clock; everything is disposed before returning.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<RunFigures> RunConcurrentAsync(int count, TimeSpan speech)
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
        {
            Avatar = new EmulatedAvatarOptions { Width = 16, Height = 16, FrameRate = 5 },
        });
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        byte[] pcm = Speech.Make(speech, Rate);
        var errors = new ConcurrentQueue<ErrorFrame>();
        var stopped = new ConcurrentDictionary<int, int>();
        long peak = 0;
        var tasks = new List<PipelineTask>();
        var recorders = new ConcurrentDictionary<int, Pipeline.HeyGen.Emulator.Realtime.RealtimeEventRecorder>();
        for (int i = 0; i < count; i++)
        {
            var service = new HeyGenVideoService(api, emulator.MediaConnector, new HeyGenVideoServiceOptions
            {
                SessionRequest = new NewSessionRequest(),
                Realtime = new HeyGenRealtimeOptions { PaceToRealTime = false },
            });
            var task = new PipelineTask(service, new PipelineTaskOptions { AudioOutSampleRate = Rate });
            int index = i;
            task.ErrorReceived += (_, e) => errors.Enqueue(e);
            task.FrameReachedEnd += (_, f) =>
            {
                if (f is BotStartedSpeakingFrame && emulator.FindRealtime(service.SessionId!) is { } session)
                {
                    // Kept to check what the avatar received: the emulator forgets a session's room once it is stopped.
                    recorders.TryAdd(index, session.Recorder);
                }

                if (f is BotStoppedSpeakingFrame)
                {
                    stopped.AddOrUpdate(index, 1, (_, n) => n + 1);
                }
            };
            tasks.Add(task);
        }

        var runs = new List<Task<PipelineFinishReason>>();
        for (int i = 0; i < count; i++)
        {
            PipelineTask task = tasks[i];
            string id = $"utt-{i}";
            runs.Add(task.RunAsync());
            await task.QueueFramesAsync([
                new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = id }, .. Speech.TtsFrames(pcm, Rate, id),
                new TTSStoppedFrame { ContextId = id }, new EndFrame()]);
        }

        using (var sampling = new CancellationTokenSource())
        {
            Task sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), GC.GetTotalMemory(false)));
                    await Task.Delay(50, CancellationToken.None);
                }
            });
            PipelineFinishReason[] reasons = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));
            await sampling.CancelAsync();
            await sampler;
            reasons.Should().AllBeEquivalentTo(PipelineFinishReason.Ended, "no pipeline deadlocks or fails");
        }

        bool delivered = Enumerable.Range(0, count).All(i => recorders.TryGetValue(i, out var recorder) && recorder.AudioOf($"utt-{i}").Length == pcm.Length);
        return new RunFigures(
            emulator.Sessions.OpenedCount,
            emulator.Sessions.StoppedCount,
            emulator.Sessions.Open.Count,
            errors.Count,
            tasks.Sum(t => t.RunningTaskCount),
            delivered,
            Enumerable.Range(0, count).All(i => stopped.GetValueOrDefault(i) == 1),
            Interlocked.Read(ref peak));
    }

    /// <summary>N short sessions one after another against one emulator on a fake clock; everything disposed before returning.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(int Opened, int Open, int RunningTasks)> RunSequentialAsync(int count)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
        {
            TimeProvider = clock,
            Avatar = new EmulatedAvatarOptions { Width = 16, Height = 16, FrameRate = 5 },
        });
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl }, timeProvider: clock);
        byte[] pcm = Speech.Make(TimeSpan.FromMilliseconds(300), Rate);
        int runningTasks = 0;
        for (int i = 0; i < count; i++)
        {
            var service = new HeyGenVideoService(api, emulator.MediaConnector, new HeyGenVideoServiceOptions
            {
                SessionRequest = new NewSessionRequest(),
            });
            var task = new PipelineTask(service, new PipelineTaskOptions { AudioOutSampleRate = Rate }, timeProvider: clock);
            int errors = 0;
            task.ErrorReceived += (_, _) => Interlocked.Increment(ref errors);
            Task<PipelineFinishReason> run = task.RunAsync();
            await task.QueueFramesAsync([
                new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "s" }, .. Speech.TtsFrames(pcm, Rate, "s"),
                new TTSStoppedFrame { ContextId = "s" }, new EndFrame()]);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (!run.IsCompleted)
            {
                limit.Token.ThrowIfCancellationRequested();
                clock.Advance(TimeSpan.FromMilliseconds(50));
                await Task.Delay(1, CancellationToken.None);
            }

            (await run).Should().Be(PipelineFinishReason.Ended);
            Volatile.Read(ref errors).Should().Be(0);
            runningTasks = Math.Max(runningTasks, task.RunningTaskCount);
        }

        return (emulator.Sessions.OpenedCount, emulator.Sessions.Open.Count, runningTasks);
    }

    private static long Settle()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(true);
    }

    /// <summary>Open file descriptors on Linux (sockets included), the process's handle count elsewhere.</summary>
    private static int OpenHandles() =>
        Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : Process.GetCurrentProcess().HandleCount;

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MB";

    private sealed record RunFigures(int Opened, int Stopped, int OpenAtEnd, int Errors, int RunningTasks, bool AllSpeechDelivered, bool AllFinishedSpeaking, long PeakMemory);
}
