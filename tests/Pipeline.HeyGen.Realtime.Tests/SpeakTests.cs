using System.Text.Json;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Realtime.Events;
using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

public sealed class SpeakTests
{
    [Fact]
    public async Task An_utterance_goes_out_as_speak_chunks_with_its_id_then_speak_end()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);
        var audio = TestAudio.Seconds(2.5);

        await h.Client.SpeakAsync(audio, "utt-1");
        await h.Client.SpeakEndAsync("utt-1");
        await h.Recorder.WaitForCountAsync("agent.speak_end", 1);

        var events = h.Recorder.Events;
        events.Select(e => (e.Type, e.EventId)).Should().Equal(
            ("agent.speak", "utt-1"), ("agent.speak", "utt-1"), ("agent.speak", "utt-1"), ("agent.speak_end", "utt-1"));
        events.Take(3).Select(e => e.Audio!.Length).Should().Equal(48_000, 48_000, 24_000);
        foreach (var speak in events.Take(3))
        {
            using var json = JsonDocument.Parse(speak.Text);
            json.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("type", "event_id", "audio");
        }

        using var end = JsonDocument.Parse(events[3].Text);
        end.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("type", "event_id");
    }

    [Fact]
    public async Task The_service_reports_speak_started_and_ended_for_the_utterance_after_its_audio_has_played()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);

        await h.Client.SpeakAsync(TestAudio.Seconds(2), "utt-1");
        await h.Client.SpeakEndAsync("utt-1");
        await h.Events.WaitForAsync<AudioBufferCommittedEvent>();
        h.Events.Of<AgentSpeakStartedEvent>().Should().ContainSingle().Which.EventId.Should().Be("utt-1");
        h.Events.Of<AgentSpeakEndedEvent>().Should().BeEmpty("two seconds of audio have not played yet");

        h.Time.Advance(TimeSpan.FromSeconds(2));
        await h.Events.WaitForAsync<AgentStateUpdatedEvent>(e => e.NewState == AvatarAgentState.Idle);

        h.Events.ServerEventTypes.Where(t => t != "session.state_updated").Should().Equal(
            "agent.audio_buffer_appended", "agent.speak_started", "agent.state_updated", "agent.audio_buffer_appended",
            "agent.audio_buffer_committed", "agent.speak_ended", "agent.state_updated");
        var started = h.Events.Of<AgentSpeakStartedEvent>().Single();
        h.Events.Of<AgentSpeakEndedEvent>().Single().Should().Match<AgentSpeakEndedEvent>(e => e.EventId == "utt-1" && e.TaskId == started.TaskId);
        h.Events.Of<AudioBufferAppendedEvent>().Should().OnlyContain(e => e.SourceEventId == "utt-1");
    }

    [Fact]
    public async Task An_utterance_ended_after_its_audio_has_played_is_reported_ended_at_once()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);
        await h.Client.SpeakAsync(TestAudio.Seconds(1), "utt-1");
        await h.Events.WaitForAsync<AgentSpeakStartedEvent>();

        h.Time.Advance(TimeSpan.FromSeconds(3));
        h.Events.Of<AgentSpeakEndedEvent>().Should().BeEmpty("the avatar waits for speak_end before it calls the utterance done");
        await h.Client.SpeakEndAsync("utt-1");
        await h.Events.WaitForAsync<AgentStateUpdatedEvent>(e => e.NewState == AvatarAgentState.Idle);

        h.Events.ServerEventTypes.SkipWhile(t => t != "agent.audio_buffer_committed").Should().Equal(
            "agent.audio_buffer_committed", "agent.speak_ended", "agent.state_updated");
    }

    [Fact]
    public async Task Audio_decoded_by_the_service_equals_the_bytes_sent_across_chunk_boundaries()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);
        var audio = TestAudio.Seconds(3.7, seed: 11);

        // Odd-sized pieces, as TTS frames arrive, each split again at the 1 s chunk size.
        var pieces = new[] { 7_002, 50_000, 48_000, 2, 30_000 };
        var offset = 0;
        foreach (var size in pieces)
        {
            await h.Client.SpeakAsync(audio.AsMemory(offset, size), "utt-1");
            offset += size;
        }

        await h.Client.SpeakAsync(audio.AsMemory(offset), "utt-1");
        await h.Client.SpeakEndAsync("utt-1");
        await h.Recorder.WaitForCountAsync("agent.speak_end", 1);

        h.Recorder.AudioOf("utt-1").Should().Equal(audio);
        h.Recorder.OfType("agent.speak").Should().OnlyContain(e => e.Audio!.Length <= TestAudio.BytesPerSecond);
    }

    [Fact]
    public async Task Audio_is_split_so_no_message_exceeds_the_message_limit()
    {
        await using var h = await RealtimeHarness.StartAsync(o =>
        {
            o.PaceToRealTime = false;
            o.MaxMessageBytes = 10_000;
        });
        var audio = TestAudio.Seconds(1, seed: 3);

        await h.Client.SpeakAsync(audio, "utt-1");
        await h.Client.SpeakEndAsync("utt-1");
        await h.Recorder.WaitForCountAsync("agent.speak_end", 1);

        var speaks = h.Recorder.OfType("agent.speak");
        speaks.Should().HaveCountGreaterThan(6);
        speaks.Should().OnlyContain(e => System.Text.Encoding.UTF8.GetByteCount(e.Text) <= 10_000);
        h.Recorder.AudioOf("utt-1").Should().Equal(audio);
    }

    [Fact]
    public async Task Interrupt_sends_agent_interrupt_with_the_utterance_id_and_drops_the_rest_of_the_utterance()
    {
        await using var h = await RealtimeHarness.StartAsync();
        var speaking = h.Client.SpeakAsync(TestAudio.Seconds(10), "utt-1");
        await h.Recorder.WaitForCountAsync("agent.speak", 3);

        await h.Client.InterruptAsync("utt-1");
        await speaking.WaitAsync(TestTimeouts.Wait);
        await h.Recorder.WaitForCountAsync("agent.interrupt", 1);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.Client.StartListeningAsync();
        await h.Recorder.WaitForCountAsync("agent.start_listening", 1);

        h.Recorder.Events.Select(e => (e.Type, e.EventId)).Should().Equal(
            ("agent.speak", "utt-1"), ("agent.speak", "utt-1"), ("agent.speak", "utt-1"), ("agent.interrupt", "utt-1"),
            ("agent.start_listening", h.Recorder.OfType("agent.start_listening").Single().EventId));
        await h.Events.WaitForAsync<AudioBufferClearedEvent>(e => e.SourceEventId == "utt-1");
        h.Events.Of<AgentSpeakInterruptedEvent>().Should().ContainSingle().Which.EventId.Should().Be("utt-1");
    }

    [Fact]
    public async Task Listening_on_and_off_send_start_and_stop_listening_with_fresh_event_ids()
    {
        await using var h = await RealtimeHarness.StartAsync();

        await h.Client.StartListeningAsync();
        await h.Client.StopListeningAsync();
        await h.Client.StartListeningAsync();
        await h.Recorder.WaitForCountAsync("agent.start_listening", 2);

        var events = h.Recorder.Events;
        events.Select(e => e.Type).Should().Equal("agent.start_listening", "agent.stop_listening", "agent.start_listening");
        events.Select(e => e.EventId).Should().OnlyHaveUniqueItems().And.OnlyContain(id => IsGuid(id));
        await h.Events.WaitForAsync<AgentStateUpdatedEvent>(count: 3);
        h.Events.Of<AgentStateUpdatedEvent>().Select(e => (e.PreviousState, e.NewState)).Should().Equal(
            (AvatarAgentState.Idle, AvatarAgentState.Listening),
            (AvatarAgentState.Listening, AvatarAgentState.Idle),
            (AvatarAgentState.Idle, AvatarAgentState.Listening));
    }

    [Fact]
    public async Task Odd_length_audio_is_rejected_as_not_16_bit_pcm()
    {
        await using var h = await RealtimeHarness.StartAsync();

        var act = () => h.Client.SpeakAsync(new byte[3], "utt-1");

        await act.Should().ThrowAsync<ArgumentException>();
        h.Recorder.Events.Should().BeEmpty();
    }

    private static bool IsGuid(string? id) => Guid.TryParse(id, out _);
}
