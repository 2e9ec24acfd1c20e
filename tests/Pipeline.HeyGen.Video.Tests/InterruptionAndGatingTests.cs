using Pipeline.Core.Frames;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Emulator.Realtime;

namespace Pipeline.HeyGen.Video.Tests;

public sealed class InterruptionAndGatingTests
{
    [Fact]
    public async Task An_interruption_mid_utterance_interrupts_the_avatar_drops_queued_audio_and_starts_listening()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        // 6 s of speech: after the 3 s burst the service paces to real time, so later frames wait in its queue.
        byte[] speech = Speech.Make(TimeSpan.FromSeconds(6), 24_000);
        await h.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "long" }, .. Speech.TtsFrames(speech, 24_000, "long")]);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), TimeSpan.FromSeconds(2), "the avatar starting to talk");
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        EmulatedAvatar avatar = h.Avatar;
        RealtimeEventRecorder recorder = h.Realtime.Recorder;
        long speaksBefore = recorder.OfType("agent.speak").Count;

        await h.Task.QueueFrameAsync(new InterruptionFrame());
        await recorder.WaitForCountAsync("agent.start_listening", 1).WaitAsync(AvatarHarness.Hang);
        await h.QueueAsync([.. Speech.TtsFrames(Speech.Make(TimeSpan.FromMilliseconds(500), 24_000), 24_000, "long"), new TTSStoppedFrame { ContextId = "long" }]);
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(300));
        TimeSpan playedAfterInterrupt = avatar.SpeechPlayed;
        await h.AdvanceAsync(TimeSpan.FromSeconds(1));

        IReadOnlyList<RecordedClientEvent> events = recorder.Events;
        RecordedClientEvent interrupt = events.Single(e => e.Type == "agent.interrupt");
        interrupt.EventId.Should().Be("long");
        events.Where(e => e.Sequence > interrupt.Sequence).Select(e => e.Type).Should().NotContain("agent.speak").And.NotContain("agent.speak_end");
        events.Single(e => e.Type == "agent.start_listening").Sequence.Should().BeGreaterThan(interrupt.Sequence);
        recorder.OfType("agent.speak").Count.Should().Be((int)speaksBefore);
        h.Service.DroppedByInterruption.Should().BeGreaterThan(0, "TTS frames queued behind the paced send were dropped");
        avatar.SpeechPlayed.Should().Be(playedAfterInterrupt, "the avatar stopped talking");
        avatar.Activity.Should().Be(AvatarActivity.Listening);
        h.AtEnd.OfType<BotStoppedSpeakingFrame>().Should().ContainSingle();
        h.AtEnd.Should().Contain(f => f is InterruptionFrame, "interruptions are passed on");

        await h.QueueAsync(new EndFrame());
        await h.FinishAsync();
        h.Emulator.Sessions.Open.Should().BeEmpty();
    }

    [Fact]
    public async Task No_agent_interrupt_is_sent_when_nothing_is_being_spoken()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");

        await h.Task.QueueFrameAsync(new UserStartedSpeakingFrame());
        await h.Task.QueueFrameAsync(new InterruptionFrame());
        await h.Realtime.Recorder.WaitForCountAsync("agent.start_listening", 1).WaitAsync(AvatarHarness.Hang);
        await h.Task.QueueFrameAsync(new UserStoppedSpeakingFrame());
        await h.Realtime.Recorder.WaitForCountAsync("agent.stop_listening", 1).WaitAsync(AvatarHarness.Hang);

        h.Realtime.Recorder.OfType("agent.interrupt").Should().BeEmpty();
        h.Realtime.Recorder.OfType("agent.start_listening").Should().ContainSingle("listening is entered once");
        h.AtEnd.Should().Contain(f => f is UserStartedSpeakingFrame).And.Contain(f => f is UserStoppedSpeakingFrame);
    }

    [Fact]
    public async Task No_media_goes_downstream_before_the_output_transport_is_ready()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");

        await h.AdvanceUntilAsync(() => h.Service.VideoFramesDroppedBeforeReady >= 10, TimeSpan.FromSeconds(2), "the avatar publishing video");
        h.Video.Should().BeEmpty();
        h.Audio.Should().BeEmpty();

        await h.QueueAsync(new OutputTransportReadyFrame());
        await h.AdvanceUntilAsync(() => h.Video.Count >= 5 && h.Audio.Count >= 5, TimeSpan.FromSeconds(2), "media after the transport is ready");
        h.Video.Select(v => v.PresentationTimestamp!.Value).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Media_flows_at_once_when_the_service_is_told_not_to_wait_for_the_transport()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(configure: o => o.WaitForOutputTransportReady = false);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");

        await h.AdvanceUntilAsync(() => h.Video.Count >= 5, TimeSpan.FromSeconds(2), "video without a transport-ready frame");

        h.Service.VideoFramesDroppedBeforeReady.Should().Be(0);
    }
}
