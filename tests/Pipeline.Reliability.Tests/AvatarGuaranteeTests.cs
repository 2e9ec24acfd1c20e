using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Realtime;

namespace Pipeline.Reliability.Tests;

/// <summary>
/// Issue 12's items as a user meets them with a real avatar service on the emulator, where the Core and seam tests pin
/// them on plain processors or a scripted provider: one service in two tasks (item 1), a service reused after its
/// task finished (item 7), a forgotten EndFrame (item 10), an interrupted context id reused (item 11).
/// </summary>
public sealed class AvatarGuaranteeTests
{
    private const int Rate = 24_000;
    private static readonly TimeSpan Emulated = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Item1_one_service_placed_in_a_second_task_is_refused_naming_it_and_the_first_session_is_closed_once(bool liveAvatar)
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(liveAvatar: liveAvatar, harness: AvatarHarnessOptions.Reliability);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session starting");

        FluentActions.Invoking(() => new PipelineTask(h.Service))
            .Should().Throw<InvalidOperationException>()
            .WithMessage($"*{h.Service.Name}*already linked*new instance*");

        await h.QueueAsync(new EndFrame());
        (PipelineFinishReason? reason, PipelineException? failure) = await FaultScenario.FinishAsync(h);
        failure.Should().BeNull();
        reason.Should().Be(PipelineFinishReason.Ended);
        h.Emulator.Sessions.OpenedCount.Should().Be(1, "the refused task opened nothing");
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Emulator.Requests.CountFor(liveAvatar ? EmulatorEndpoint.LiveAvatarStop : EmulatorEndpoint.StreamingStop).Should().Be(1, "closed exactly once");
        h.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Item7_an_avatar_service_reused_after_its_task_finished_is_refused_and_opens_no_second_session()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(harness: AvatarHarnessOptions.Reliability);
        h.Start();
        await h.QueueAsync(new EndFrame());
        (await h.EndAsync()).Reason.Should().Be(PipelineFinishReason.Ended);

        FluentActions.Invoking(() => new PipelineTask(h.Service))
            .Should().Throw<InvalidOperationException>()
            .WithMessage($"*{h.Service.Name}*");
        h.Emulator.Sessions.OpenedCount.Should().Be(1);
        h.Emulator.Sessions.Open.Should().BeEmpty();
    }

    [Fact]
    public async Task Item10_a_forgotten_EndFrame_ends_the_run_after_the_default_idle_timeout_and_closes_the_billed_session()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(harness: AvatarHarnessOptions.Reliability);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session starting");
        EmulatedSession session = h.Emulator.Sessions.All.Should().ContainSingle().Subject;

        // Keep-alives hold HeyGen's own idle timeout off, so only the pipeline's idle timeout can end it.
        await h.AdvanceUntilAsync(() => h.Running!.IsCompleted, TimeSpan.FromSeconds(PipelineTaskOptions.DefaultIdleTimeout.TotalSeconds + 30),
            "the idle timeout", TimeSpan.FromMilliseconds(500));
        h.Clock.GetUtcNow().Should().BeOnOrAfter(session.CreatedAt + PipelineTaskOptions.DefaultIdleTimeout);

        (await h.EndAsync()).Reason.Should().Be(PipelineFinishReason.IdleTimeout);
        session.IsOpen.Should().BeFalse("the idle timeout closes the billed session");
        session.StopReason.Should().NotBe("IDLE_TIMEOUT", "the pipeline closed it, not HeyGen");
        h.Logs.Lines.Should().Contain(l => l.Level == LogLevel.Warning && l.FullText.Contains("idle", StringComparison.OrdinalIgnoreCase) && l.FullText.Contains("300"));
        h.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Item11_a_fresh_TTS_start_that_reuses_an_interrupted_context_id_is_spoken_in_full_on_HeyGen()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(harness: AvatarHarnessOptions.Reliability);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session starting");
        RealtimeEventRecorder recorder = h.Realtime.Recorder;
        await h.QueueAsync(new OutputTransportReadyFrame());

        await h.QueueAsync([new TTSStartedFrame { ContextId = "x" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(6), Rate), Rate, "x"), new TTSStoppedFrame { ContextId = "x" }]);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), Emulated, "the avatar talking");
        await h.QueueAsync(new InterruptionFrame());
        await h.AdvanceUntilAsync(() => recorder.OfType("agent.interrupt").Count == 1 && h.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), Emulated, "the interrupt");
        int before = recorder.AudioOf("x").Length;
        int speakEndsBefore = recorder.OfType("agent.speak_end").Count;

        byte[] again = Speech.Make(TimeSpan.FromSeconds(1), Rate);
        await h.QueueAsync([new TTSStartedFrame { ContextId = "x" }, .. Speech.TtsFrames(again, Rate, "x"), new TTSStoppedFrame { ContextId = "x" }]);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStoppedSpeakingFrame>().Count() == 2, Emulated, "the second x being spoken");

        (recorder.AudioOf("x").Length - before).Should().Be(again.Length, "the new utterance is not taken for the interrupted one's late audio");
        recorder.OfType("agent.speak_end").Count.Should().BeGreaterThan(speakEndsBefore);
        h.Errors.Should().BeEmpty();
        await h.QueueAsync(new EndFrame());
        (await h.EndAsync()).Reason.Should().Be(PipelineFinishReason.Ended);
        h.Emulator.Sessions.Open.Should().BeEmpty();
    }
}
