using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Realtime.Events;
using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

public sealed class KeepAliveTests
{
    [Fact]
    public async Task LiveAvatar_sessions_get_a_websocket_keep_alive_every_third_of_the_five_minute_idle_timeout()
    {
        await using var h = await RealtimeHarness.StartAsync(emulator: new RealtimeEmulatorOptions { IdleTimeout = TimeSpan.FromMinutes(5) });
        var start = h.Time.GetUtcNow();

        for (var i = 1; i <= 4; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(100));
            await h.Recorder.WaitForCountAsync("session.keep_alive", i);
        }

        h.Recorder.Events.Select(e => e.Type).Should().AllBe("session.keep_alive");
        h.Recorder.Events.Select(e => (e.ReceivedAt - start).TotalSeconds).Should().Equal(100, 200, 300, 400);
        h.Recorder.Events.Select(e => e.EventId).Should().OnlyHaveUniqueItems();
        h.Session.IsClosed.Should().BeFalse("each keep-alive reset the 300 s idle timer");
        h.Client.KeepAliveCount.Should().Be(4);
    }

    [Fact]
    public async Task Interactive_Avatar_sessions_are_kept_alive_over_REST_every_40_seconds_and_not_over_the_socket()
    {
        var calls = new List<DateTimeOffset>();
        RealtimeHarness? harness = null;
        await using var h = harness = await RealtimeHarness.StartAsync(
            o =>
            {
                o.Product = HeyGenProduct.InteractiveAvatar;
                o.RestKeepAlive = _ =>
                {
                    // What the REST client's POST /v1/streaming.keep_alive does to the session.
                    calls.Add(harness!.Time.GetUtcNow());
                    harness.Session.RecordActivity();
                    return Task.CompletedTask;
                };
            },
            new RealtimeEmulatorOptions { IdleTimeout = TimeSpan.FromSeconds(120) });
        var start = h.Time.GetUtcNow();

        for (var i = 0; i < 5; i++) h.Time.Advance(TimeSpan.FromSeconds(40));

        calls.Select(c => (c - start).TotalSeconds).Should().Equal(40, 80, 120, 160, 200);
        h.Session.IsClosed.Should().BeFalse();
        await h.Client.StartListeningAsync();
        await h.Recorder.WaitForCountAsync("agent.start_listening", 1);
        h.Recorder.OfType("session.keep_alive").Should().BeEmpty();
    }

    [Fact]
    public async Task A_failing_REST_keep_alive_is_counted_and_logged_and_keeps_being_retried()
    {
        await using var h = await RealtimeHarness.StartAsync(o =>
        {
            o.Product = HeyGenProduct.InteractiveAvatar;
            o.RestKeepAlive = _ => Task.FromException(new HttpRequestException("503 from streaming.keep_alive"));
        });

        h.Time.Advance(TimeSpan.FromSeconds(40));
        h.Time.Advance(TimeSpan.FromSeconds(40));

        h.Client.KeepAliveFailureCount.Should().Be(2);
        h.Client.State.Should().Be(RealtimeConnectionState.Connected);
        h.Logger.Lines.Should().Contain(l => l.Contains("keep-alive failed", StringComparison.Ordinal));
    }

    [Fact]
    public void Interactive_Avatar_without_a_REST_keep_alive_is_a_configuration_error()
    {
        var act = () => new HeyGenRealtimeClient(new HeyGenRealtimeOptions { Product = HeyGenProduct.InteractiveAvatar });

        act.Should().Throw<ArgumentException>().WithMessage("*RestKeepAlive*");
    }

    [Fact]
    public async Task Without_keep_alive_the_idle_session_is_closed_by_the_service_and_the_client_reports_it_ended()
    {
        await using var h = await RealtimeHarness.StartAsync(
            o => o.KeepAliveEnabled = false,
            new RealtimeEmulatorOptions { IdleTimeout = TimeSpan.FromSeconds(120) });

        h.Time.Advance(TimeSpan.FromSeconds(120));
        var events = new List<RealtimeServerEvent>();
        await foreach (var e in h.Client.ReadEventsAsync().WithCancellation(new CancellationTokenSource(TestTimeouts.Wait).Token))
            events.Add(e);

        events.OfType<SessionStateUpdatedEvent>().Select(e => e.State).Should().Equal(
            AvatarSessionState.Connecting, AvatarSessionState.Connected, AvatarSessionState.Closing, AvatarSessionState.Closed);
        h.Session.CloseReason.Should().Be("IDLE_TIMEOUT");
        h.Events.Of<RealtimeDisconnectedEventArgs>().Should().ContainSingle().Which.WillReconnect.Should().BeFalse();
        h.Client.State.Should().Be(RealtimeConnectionState.Closed);
        var speak = () => h.Client.SpeakAsync(TestAudio.Seconds(1), "late");
        (await speak.Should().ThrowAsync<HeyGenRealtimeException>()).Which.Failure.Should().Be(RealtimeFailure.SessionEnded);
    }
}
