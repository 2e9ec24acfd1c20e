using System.Collections.Concurrent;
using System.Diagnostics;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Realtime;
using Pipeline.HeyGen.Video;
using Xunit.Abstractions;

namespace Pipeline.Reliability.Tests;

/// <summary>
/// A wave of concurrent pipelines of both products against one emulator, with mixed faults (creating calls answered
/// after the attempt timeout once the session exists, failed starts and stops, dropped connections) and cancels at
/// random moments: whatever happens to each run, every session the emulator opened is closed.
/// </summary>
/// <remarks>On the real clock (the faults are timed against the clients' real timeouts), in the load tests'
/// collection so it does not disturb their memory figures.</remarks>
[Collection(nameof(LoadAndSoakTests))]
public sealed class LeakWaveTests(ITestOutputHelper output)
{
    private const int Rate = 24_000;
    private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(3000);

    [Fact]
    public async Task A_wave_of_100_concurrent_pipelines_with_mixed_faults_ends_with_no_open_session()
    {
        const int Pipelines = 100;
        var wall = Stopwatch.StartNew();
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
        {
            Avatar = new EmulatedAvatarOptions { Width = 16, Height = 16, FrameRate = 5 },
        });
        using var heyGen = new HeyGenApi(Configure(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl }));
        using var liveAvatar = new LiveAvatarApi(Configure(new LiveAvatarApiOptions { ApiKey = emulator.LiveAvatarApiKey, BaseUrl = emulator.LiveAvatarApiBaseUrl }));
        InjectMixedFaults(emulator.Faults);

        byte[] pcm = Speech.Make(TimeSpan.FromMilliseconds(200), Rate);
        var errors = new ConcurrentQueue<ErrorFrame>();
        var tasks = new List<PipelineTask>();
        var runs = new List<Task<string>>();
        for (int i = 0; i < Pipelines; i++)
        {
            bool isLiveAvatar = i % 2 == 1;
            var service = new HeyGenVideoService(isLiveAvatar ? liveAvatar : heyGen, emulator.MediaConnector, new HeyGenVideoServiceOptions
            {
                SessionRequest = isLiveAvatar ? new LiveAvatarNewSessionRequest { AvatarId = "wave-avatar" } : new NewSessionRequest(),
                Realtime = new HeyGenRealtimeOptions { PaceToRealTime = false },
            });
            var task = new PipelineTask(service, new PipelineTaskOptions { AudioOutSampleRate = Rate });
            task.ErrorReceived += (_, e) => errors.Enqueue(e);
            tasks.Add(task);

            // Every fourth run is cancelled at a random moment of its life (while opening, talking or closing).
            TimeSpan? cancelAfter = i % 4 == 3 ? TimeSpan.FromMilliseconds(new Random(i).Next(0, 2500)) : null;
            runs.Add(RunOneAsync(task, pcm, $"utt-{i}", cancelAfter));
        }

        string[] endings = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));
        wall.Stop();

        int opened = emulator.Sessions.OpenedCount;
        int stopped = emulator.Sessions.StoppedCount;
        var open = emulator.Sessions.Open;
        output.WriteLine($"{Pipelines} pipelines (HeyGen and LiveAvatar, mixed faults, {Pipelines / 4} cancelled at random): {wall.ElapsedMilliseconds} ms wall");
        output.WriteLine($"sessions opened {opened}, stopped {stopped}, open at the end {open.Count}; stop requests {emulator.Requests.CountFor(EmulatorEndpoint.StreamingStop) + emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarStop)}");
        output.WriteLine("runs: " + string.Join(", ", endings.GroupBy(e => e).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}")));
        output.WriteLine($"error frames {errors.Count}; answered late and closed: {errors.Count(e => e.Message.Contains(FaultMatrix.AnsweredLate, StringComparison.Ordinal))}");
        foreach (ErrorFrame e in errors.Where(e => !e.Message.Contains(FaultMatrix.AnsweredLate, StringComparison.Ordinal)).Take(10))
        {
            output.WriteLine($"  error{(e.IsFatal ? " (fatal)" : string.Empty)}: {e.Message}");
        }

        open.Should().BeEmpty("every session the service opened is closed, whatever happened to its run");
        stopped.Should().Be(opened);
        tasks.Sum(t => t.RunningTaskCount).Should().Be(0, "no run leaves a task behind");
        errors.Should().Contain(e => e.Message.Contains(FaultMatrix.AnsweredLate, StringComparison.Ordinal), "the wave did hit late answers");
        wall.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60));
    }

    private static T Configure<T>(T options)
        where T : AvatarApiOptions
    {
        options.AttemptTimeout = TimeSpan.FromSeconds(2);
        options.CleanupTimeout = TimeSpan.FromSeconds(5);
        options.CloseTimeout = TimeSpan.FromSeconds(10);
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(50);
        return options;
    }

    // The injector queues faults per endpoint: whichever calls come first take them, so the mix lands on random runs.
    private static void InjectMixedFaults(EmulatorFaults faults)
    {
        faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.DelayResponse(Late), times: 10);
        faults.Inject(EmulatorEndpoint.LiveAvatarToken, EmulatedFault.DelayResponse(Late), times: 10);
        faults.Inject(EmulatorEndpoint.LiveAvatarStart, EmulatedFault.DelayResponse(Late), times: 5);
        faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(500), times: 3);
        faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.DelayResponse(TimeSpan.FromMilliseconds(400)), times: 10);
        faults.Inject(EmulatorEndpoint.LiveAvatarToken, EmulatedFault.DelayResponse(TimeSpan.FromMilliseconds(400)), times: 10);
        faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Status(503), times: 5);
        faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.DropConnection(), times: 3);
        faults.Inject(EmulatorEndpoint.LiveAvatarStart, EmulatedFault.Status(400), times: 3);
        faults.Inject(EmulatorEndpoint.StreamingStop, EmulatedFault.Status(503), times: 10);
        faults.Inject(EmulatorEndpoint.LiveAvatarStop, EmulatedFault.Status(503), times: 10);
        faults.Inject(EmulatorEndpoint.LiveAvatarStop, EmulatedFault.DropConnection(), times: 3);
    }

    private static async Task<string> RunOneAsync(PipelineTask task, byte[] pcm, string id, TimeSpan? cancelAfter)
    {
        Task<PipelineFinishReason> run = task.RunAsync();
        await task.QueueFramesAsync([
            new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = id }, .. Speech.TtsFrames(pcm, Rate, id),
            new TTSStoppedFrame { ContextId = id }, new EndFrame()]);
        if (cancelAfter is { } delay)
        {
            await Task.WhenAny(run, Task.Delay(delay));
            if (!run.IsCompleted)
            {
                task.Cancel();
            }
        }

        try
        {
            return (await run).ToString();
        }
        catch (PipelineException)
        {
            return "FailedWithFatalError";
        }
    }
}
