using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Realtime;

namespace Pipeline.Reliability.Tests;

/// <summary>
/// Found by <see cref="AvatarLifecyclePropertyTests"/> (1 000-case run): an EndFrame drain waits for the open utterances;
/// when they are lost meanwhile (the websocket drops and every reconnect is refused) their failures were aggregated by
/// the drain's <c>Task.WhenAll</c> and never observed, so the finalizer raised
/// <see cref="TaskScheduler.UnobservedTaskException"/>. Nothing the library starts may go unobserved.
/// </summary>
[Collection(nameof(AvatarLifecyclePropertyCollection))]
public sealed class EndDrainObservationTests
{
    private const int Rate = 24_000;

    [Fact]
    public async Task Utterances_lost_while_an_EndFrame_drains_them_leave_no_unobserved_task_exception()
    {
        var unobserved = new ConcurrentQueue<string>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception.ToString());

        GC.Collect();
        GC.WaitForPendingFinalizers();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await RunAsync();
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        unobserved.Should().BeEmpty();
    }

    private static async Task RunAsync()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(harness: AvatarHarnessOptions.Reliability, configure: o =>
        {
            o.EndDrainTimeout = TimeSpan.FromSeconds(30);
            o.Realtime.PaceToRealTime = false;
        });
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session starting");
        RealtimeSessionContext realtime = h.Realtime;
        await h.QueueAsync(new OutputTransportReadyFrame());

        // Two utterances ended but not yet spoken when the EndFrame arrives: the drain waits for both.
        await h.QueueAsync([
            new TTSStartedFrame { ContextId = "u1" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(2), Rate), Rate, "u1"), new TTSStoppedFrame { ContextId = "u1" },
            new TTSStartedFrame { ContextId = "u2" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(2), Rate), Rate, "u2"), new TTSStoppedFrame { ContextId = "u2" },
            new EndFrame()]);
        await AvatarHarness.WaitUntilAsync(() => realtime.Recorder.OfType("agent.speak_end").Count >= 2, "both utterances sent (unpaced)");

        // The socket drops before the avatar has spoken them, and no reconnect is allowed: both are lost.
        h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingRealtime, EmulatedFault.Status(503), times: 50);
        realtime.DropConnection();

        (PipelineFinishReason? reason, PipelineException? failure) = await FaultScenario.FinishAsync(h);
        (reason is not null || failure is not null).Should().BeTrue("the run ended");
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Task.RunningTaskCount.Should().Be(0);
    }
}
