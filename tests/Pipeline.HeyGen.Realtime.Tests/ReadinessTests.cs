using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

public sealed class ReadinessTests
{
    [Fact]
    public async Task By_default_the_first_speak_goes_at_once_even_when_the_service_never_reports_connected()
    {
        await using var h = await RealtimeHarness.StartAsync(emulator: new RealtimeEmulatorOptions { SendConnectedState = false });

        // No clock movement at all: a readiness wait would hold the speak for the whole ReadyTimeout.
        await h.Client.SpeakAsync(TestAudio.Seconds(1), "utt-1").WaitAsync(TestTimeouts.Wait);
        await h.Client.SpeakEndAsync("utt-1");
        await h.Recorder.WaitForCountAsync("agent.speak_end", 1);

        h.Client.IsReady.Should().BeFalse("the service never said connected");
        h.Recorder.AudioOf("utt-1").Should().Equal(TestAudio.Seconds(1));
        h.Logger.Lines.Should().NotContain(l => l.Contains("assuming the session is ready", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_WaitForConnected_the_first_speak_waits_until_the_service_reports_connected()
    {
        await using var h = await RealtimeHarness.StartAsync(
            o => o.WaitForConnected = true, new RealtimeEmulatorOptions { ConnectedDelay = TimeSpan.FromSeconds(2) });

        var speaking = h.Client.SpeakAsync(TestAudio.Seconds(1), "utt-1");
        await h.Time.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        speaking.IsCompleted.Should().BeFalse();
        h.Client.IsReady.Should().BeFalse();
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await speaking.WaitAsync(TestTimeouts.Wait);
        await h.Client.SpeakEndAsync("utt-1");
        await h.Recorder.WaitForCountAsync("agent.speak_end", 1);

        h.Client.IsReady.Should().BeTrue();
        h.Events.ServerEventTypes.Should().NotContain("error", "the speak was not sent before the session was connected");
        h.Recorder.AudioOf("utt-1").Should().Equal(TestAudio.Seconds(1));
    }

    [Fact]
    public async Task When_the_service_never_reports_connected_the_client_assumes_ready_after_the_timeout()
    {
        await using var h = await RealtimeHarness.StartAsync(
            o => o.ReadyTimeout = TimeSpan.FromSeconds(4),
            new RealtimeEmulatorOptions { SendConnectedState = false });

        var waiting = h.Client.WaitUntilReadyAsync();
        await h.Time.WaitForTimerAsync(TimeSpan.FromSeconds(4));
        h.Time.Advance(TimeSpan.FromSeconds(4));

        (await waiting.WaitAsync(TestTimeouts.Wait)).Should().BeFalse();
        (await h.Client.WaitUntilReadyAsync()).Should().BeFalse("the fallback is decided once");
        await h.Client.SpeakAsync(TestAudio.Seconds(1), "utt-1");
        await h.Recorder.WaitForCountAsync("agent.speak", 1);
        h.Logger.Lines.Should().Contain(l => l.Contains("assuming the session is ready", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_the_Throw_fallback_a_missing_connected_state_is_a_NotReady_error()
    {
        await using var h = await RealtimeHarness.StartAsync(
            o =>
            {
                o.ReadyTimeout = TimeSpan.FromSeconds(4);
                o.ReadinessFallback = ReadinessFallback.Throw;
            },
            new RealtimeEmulatorOptions { SendConnectedState = false });

        var waiting = h.Client.WaitUntilReadyAsync();
        await h.Time.WaitForTimerAsync(TimeSpan.FromSeconds(4));
        h.Time.Advance(TimeSpan.FromSeconds(4));

        (await waiting.Invoking(w => w.WaitAsync(TestTimeouts.Wait)).Should().ThrowAsync<HeyGenRealtimeException>())
            .Which.Failure.Should().Be(RealtimeFailure.NotReady);
    }
}
