using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

public sealed class ReconnectTests
{
    [Fact]
    public async Task A_drop_mid_utterance_reconnects_and_reports_the_utterance_lost_instead_of_resending_it()
    {
        await using var h = await RealtimeHarness.StartAsync(faults: f => f.DropAfterMessages = 2);

        var speaking = h.Client.SpeakAsync(TestAudio.Seconds(10), "utt-1");
        await h.Events.WaitForAsync<RealtimeReconnectedEventArgs>();

        var lost = await speaking.Invoking(s => s.WaitAsync(TestTimeouts.Wait)).Should().ThrowAsync<HeyGenRealtimeException>();
        lost.Which.Failure.Should().Be(RealtimeFailure.UtteranceLost);
        h.Events.Of<RealtimeDisconnectedEventArgs>().Should().ContainSingle().Which.WillReconnect.Should().BeTrue();
        h.Events.Of<RealtimeAudioLostEventArgs>().Should().ContainSingle()
            .Which.Should().Match<RealtimeAudioLostEventArgs>(e => e.UtteranceId == "utt-1" && e.BytesSubmitted == 3 * TestAudio.BytesPerSecond);
        h.Events.Of<RealtimeReconnectedEventArgs>().Single().Attempts.Should().Be(1);
        h.Session.ConnectionCount.Should().Be(2);

        // The lost utterance stays lost; its end is accepted and not sent. A new utterance goes out whole.
        await h.Client.Invoking(c => c.SpeakAsync(TestAudio.Seconds(1), "utt-1")).Should().ThrowAsync<HeyGenRealtimeException>();
        await h.Client.SpeakEndAsync("utt-1");
        var next = TestAudio.Seconds(1.5, seed: 5);
        await h.Client.SpeakAsync(next, "utt-2");
        await h.Client.SpeakEndAsync("utt-2");
        await h.Recorder.WaitForCountAsync("agent.speak_end", 1);

        var second = h.Recorder.Events.Where(e => e.Connection == 2).ToList();
        second.Select(e => (e.Type, e.EventId)).Should().Equal(
            ("agent.speak", "utt-2"), ("agent.speak", "utt-2"), ("agent.speak_end", "utt-2"));
        h.Recorder.AudioOf("utt-2").Should().Equal(next);
        h.Recorder.Events.Where(e => e.Connection == 1).Should().OnlyContain(e => e.EventId == "utt-1");
    }

    [Fact]
    public async Task An_ended_utterance_the_service_never_confirmed_is_reported_lost_when_the_connection_drops()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false, faults: f => f.DropAfterMessages = 1);

        await h.Client.SpeakAsync(TestAudio.Seconds(5), "utt-1");
        await h.Client.SpeakEndAsync("utt-1");
        await h.Events.WaitForAsync<RealtimeReconnectedEventArgs>();
        await h.Client.StartListeningAsync();
        await h.Recorder.WaitForAsync(events => events.Any(e => e.Connection == 2));

        h.Events.Of<RealtimeAudioLostEventArgs>().Should().ContainSingle()
            .Which.Should().Match<RealtimeAudioLostEventArgs>(e => e.UtteranceId == "utt-1" && e.BytesSubmitted == 5 * TestAudio.BytesPerSecond);
        h.Recorder.OfType("agent.speak").Should().ContainSingle("the service read one chunk before the drop");
        h.Recorder.Events.Where(e => e.Connection == 2).Select(e => e.Type).Should().Equal("agent.start_listening");
    }

    [Fact]
    public async Task An_utterance_the_service_confirmed_is_not_reported_lost_by_a_later_drop()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);
        await h.Client.SpeakAsync(TestAudio.Seconds(2), "utt-1");
        await h.Client.SpeakEndAsync("utt-1");
        await h.Events.WaitForAsync<Pipeline.HeyGen.Realtime.Events.AudioBufferCommittedEvent>();

        h.Session.DropConnection();
        await h.Events.WaitForAsync<RealtimeReconnectedEventArgs>();

        h.Events.Of<RealtimeAudioLostEventArgs>().Should().BeEmpty();
    }

    [Fact]
    public async Task Control_events_sent_while_reconnecting_go_out_after_the_reconnect()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.ReconnectInitialDelay = TimeSpan.FromSeconds(1));
        await h.Client.StartListeningAsync();
        await h.Recorder.WaitForCountAsync("agent.start_listening", 1);
        h.Session.DropConnection();
        await h.Events.WaitForAsync<RealtimeDisconnectedEventArgs>();

        await h.Client.StopListeningAsync();
        h.Client.State.Should().Be(RealtimeConnectionState.Reconnecting);
        await h.Time.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Recorder.WaitForCountAsync("agent.stop_listening", 1);

        h.Recorder.Events.Where(e => e.Connection == 1).Select(e => e.Type).Should().Equal("agent.start_listening");
        // Control events are sent at least once: if the drop cut the first send short, it is repeated first.
        var second = string.Join(",", h.Recorder.Events.Where(e => e.Connection == 2).Select(e => e.Type));
        second.Should().BeOneOf("agent.stop_listening", "agent.start_listening,agent.stop_listening");
        h.Events.Of<RealtimeReconnectedEventArgs>().Should().ContainSingle().Which.Downtime.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task When_every_reconnect_attempt_fails_the_client_faults_with_a_clear_error()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.MaxReconnectAttempts = 3, faults: f => f.DropAfterMessages = 1);
        h.Session.Faults.RejectUpgradeWithStatus = 503;

        await h.Client.StartListeningAsync();
        await h.Events.WaitForAsync<RealtimeFaultedEventArgs>();

        var error = h.Events.Of<RealtimeFaultedEventArgs>().Single().Exception;
        error.Failure.Should().Be(RealtimeFailure.ReconnectFailed);
        error.HttpStatusCode.Should().Be(503);
        error.Message.Should().Contain("3 reconnect attempt(s) failed").And.NotContain(h.Session.SessionToken);
        h.Logger.Lines.Should().Contain(l => l.Contains("session_token=***", StringComparison.Ordinal))
            .And.NotContain(l => l.Contains(h.Session.SessionToken, StringComparison.Ordinal));
        h.Client.State.Should().Be(RealtimeConnectionState.Faulted);
        var read = async () =>
        {
            await foreach (var _ in h.Client.ReadEventsAsync())
            {
            }
        };
        (await read.Should().ThrowAsync<HeyGenRealtimeException>()).Which.Failure.Should().Be(RealtimeFailure.ReconnectFailed);
        (await h.Client.Invoking(c => c.SpeakAsync(TestAudio.Seconds(1), "u")).Should().ThrowAsync<HeyGenRealtimeException>())
            .Which.Failure.Should().Be(RealtimeFailure.ReconnectFailed);
    }

    [Fact]
    public async Task A_rejected_credential_stops_reconnecting_at_once()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.MaxReconnectAttempts = 5, faults: f => f.DropAfterMessages = 1);
        h.Session.Faults.RejectUpgradeWithStatus = 401;

        await h.Client.StartListeningAsync();
        await h.Events.WaitForAsync<RealtimeFaultedEventArgs>();

        h.Events.Of<RealtimeFaultedEventArgs>().Single().Exception.Message.Should().Contain("1 reconnect attempt(s) failed");
    }

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(3, 2000)]
    [InlineData(5, 8000)]
    [InlineData(6, 10000)]
    [InlineData(40, 10000)]
    public void Backoff_doubles_from_the_initial_delay_up_to_the_maximum(int attempt, int expectedMs)
    {
        HeyGenRealtimeClient.BackoffDelay(attempt, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10))
            .Should().Be(TimeSpan.FromMilliseconds(expectedMs));
    }
}
