using System.Text;
using Pipeline.HeyGen.Realtime.Events;
using Pipeline.HeyGen.Realtime.Protocol;
using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

public sealed class ServerMessageTests
{
    [Fact]
    public async Task Malformed_and_unknown_server_messages_are_counted_and_ignored_and_the_session_keeps_working()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false, faults: f =>
        {
            f.MalformedMessagesOnConnect = 2;
            f.UnknownEventsOnConnect = 3;
        });

        h.Session.SendToClient("not json at all");
        h.Session.SendToClient("[1, 2, 3]");
        h.Session.SendToClient("{\"type\": 42}");
        await h.Client.SpeakAsync(TestAudio.Seconds(1), "utt-1");
        await h.Events.WaitForAsync<AgentSpeakStartedEvent>();

        h.Client.MalformedMessageCount.Should().Be(5);
        h.Client.UnknownEventCount.Should().Be(3);
        h.Client.State.Should().Be(RealtimeConnectionState.Connected);
        h.Logger.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("not a valid event", StringComparison.Ordinal))
            .Should().Be(5);
        h.Logger.Lines.Count(l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("emulator.unknown_event", StringComparison.Ordinal))
            .Should().Be(3);
    }

    [Fact]
    public async Task Delayed_server_events_arrive_once_the_delay_has_passed()
    {
        await using var h = await RealtimeHarness.StartAsync();
        h.Session.Faults.ServerEventDelay = TimeSpan.FromSeconds(2);

        await h.Client.StartListeningAsync();
        await h.Recorder.WaitForCountAsync("agent.start_listening", 1);
        await h.Time.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        h.Events.Of<AgentStateUpdatedEvent>().Should().BeEmpty();
        h.Time.Advance(TimeSpan.FromSeconds(2));

        await h.Events.WaitForAsync<AgentStateUpdatedEvent>(e => e.NewState == AvatarAgentState.Listening);
    }

    [Fact]
    public async Task Service_errors_reach_the_event_stream_with_their_type_and_source()
    {
        await using var h = await RealtimeHarness.StartAsync();

        h.Session.SendToClient("{\"type\":\"error\",\"event_id\":\"e1\",\"source_event_id\":\"utt-9\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad audio\",\"code\":400}}");
        await h.Events.WaitForAsync<RealtimeErrorEvent>();

        h.Events.Of<RealtimeErrorEvent>().Single().Should().Match<RealtimeErrorEvent>(e =>
            e.ErrorType == "invalid_request_error" && e.Message == "bad audio" && e.Code == "400" && e.SourceEventId == "utt-9");
    }

    [Fact]
    public async Task ReadEventsAsync_yields_the_server_events_in_order()
    {
        await using var h = await RealtimeHarness.StartAsync();
        await h.Client.StartListeningAsync();
        await h.Events.WaitForAsync<AgentStateUpdatedEvent>();
        using var cancel = new CancellationTokenSource(TestTimeouts.Wait);

        var received = new List<RealtimeServerEvent>();
        await foreach (var e in h.Client.ReadEventsAsync(cancel.Token))
        {
            received.Add(e);
            if (received.Count == 3) break;
        }

        received.Select(e => e.Type).Should().Equal("session.state_updated", "session.state_updated", "agent.state_updated");
    }

    [Theory]
    [InlineData("{\"type\":\"session.state_updated\",\"event_id\":\"e\",\"state\":\"connected\"}", typeof(SessionStateUpdatedEvent))]
    [InlineData("{\"type\":\"agent.speak_started\",\"event_id\":\"u\",\"task\":{\"id\":\"t\"}}", typeof(AgentSpeakStartedEvent))]
    [InlineData("{\"type\":\"agent.speak_ended\",\"event_id\":\"u\",\"task\":{\"id\":\"t\"}}", typeof(AgentSpeakEndedEvent))]
    [InlineData("{\"type\":\"agent.speak_interrupted\",\"event_id\":\"u\"}", typeof(AgentSpeakInterruptedEvent))]
    [InlineData("{\"type\":\"agent.state_updated\",\"previous_state\":\"idle\",\"new_state\":\"talking\"}", typeof(AgentStateUpdatedEvent))]
    [InlineData("{\"type\":\"agent.state\",\"state\":\"talking\"}", typeof(AgentStateEvent))]
    [InlineData("{\"type\":\"agent.audio_buffer_appended\",\"event_id\":\"e\",\"source_event_id\":\"u\"}", typeof(AudioBufferAppendedEvent))]
    [InlineData("{\"type\":\"agent.audio_buffer_committed\",\"source_event_id\":\"u\"}", typeof(AudioBufferCommittedEvent))]
    [InlineData("{\"type\":\"agent.audio_buffer_cleared\",\"source_event_id\":\"u\"}", typeof(AudioBufferClearedEvent))]
    [InlineData("{\"type\":\"warning\",\"message\":\"m\"}", typeof(RealtimeWarningEvent))]
    [InlineData("{\"type\":\"error\",\"error\":{\"type\":\"server_error\"}}", typeof(RealtimeErrorEvent))]
    public void Every_server_event_type_of_the_reference_parses_to_its_typed_event(string json, Type expected)
    {
        RealtimeServerEventParser.TryParse(Encoding.UTF8.GetBytes(json), out var parsed, out _).Should().Be(ParseOutcome.Parsed);

        parsed.Should().BeOfType(expected);
        parsed!.RawJson.Should().Be(json);
    }

    [Fact]
    public void Speak_events_carry_the_utterance_id_and_task_id_and_unknown_fields_are_ignored()
    {
        var json = "{\"type\":\"agent.speak_ended\",\"event_id\":\"utt-1\",\"task\":{\"id\":\"task-7\"},\"future_field\":{\"x\":1}}";

        RealtimeServerEventParser.TryParse(Encoding.UTF8.GetBytes(json), out var parsed, out _);

        parsed.Should().BeOfType<AgentSpeakEndedEvent>().Which.Should().Match<AgentSpeakEndedEvent>(e => e.EventId == "utt-1" && e.TaskId == "task-7");
    }

    [Theory]
    [InlineData("connecting", AvatarSessionState.Connecting)]
    [InlineData("connected", AvatarSessionState.Connected)]
    [InlineData("closing", AvatarSessionState.Closing)]
    [InlineData("closed", AvatarSessionState.Closed)]
    [InlineData("disconnected", AvatarSessionState.Disconnected)]
    [InlineData("rebooting", AvatarSessionState.Unknown)]
    public void Session_states_map_including_the_one_seen_only_in_client_code(string wire, AvatarSessionState expected)
    {
        RealtimeServerEventParser.TryParse(Encoding.UTF8.GetBytes($"{{\"type\":\"session.state_updated\",\"state\":\"{wire}\"}}"), out var parsed, out _);

        parsed.Should().BeOfType<SessionStateUpdatedEvent>().Which.Should().Match<SessionStateUpdatedEvent>(e => e.State == expected && e.RawState == wire);
    }
}
