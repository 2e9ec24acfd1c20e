using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

public sealed class PacingTests
{
    [Fact]
    public async Task Ten_seconds_of_audio_leave_as_a_three_second_burst_then_in_real_time()
    {
        await using var h = await RealtimeHarness.StartAsync();
        var start = h.Time.GetUtcNow();

        var speaking = h.Client.SpeakAsync(TestAudio.Seconds(10), "utt-1");
        await h.Recorder.WaitForCountAsync("agent.speak", 3);
        for (var second = 1; second <= 7; second++)
        {
            speaking.IsCompleted.Should().BeFalse();
            h.Time.Advance(TimeSpan.FromSeconds(1));
            await h.Recorder.WaitForCountAsync("agent.speak", 3 + second);
        }

        await speaking.WaitAsync(TestTimeouts.Wait);
        h.Recorder.OfType("agent.speak").Select(e => (e.ReceivedAt - start).TotalSeconds)
            .Should().Equal(0, 0, 0, 1, 2, 3, 4, 5, 6, 7);
        h.Recorder.AudioOf("utt-1").Should().Equal(TestAudio.Seconds(10));
    }

    [Fact]
    public async Task Without_pacing_all_audio_leaves_at_once()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);
        var start = h.Time.GetUtcNow();

        await h.Client.SpeakAsync(TestAudio.Seconds(10), "utt-1");
        await h.Recorder.WaitForCountAsync("agent.speak", 10);

        h.Recorder.OfType("agent.speak").Should().OnlyContain(e => e.ReceivedAt == start);
    }

    [Fact]
    public void A_new_utterance_gets_a_new_burst()
    {
        var time = new TimerWatchingTimeProvider();
        var first = new UtterancePacer(time, TimeSpan.FromSeconds(3), enabled: true);
        for (var i = 0; i < 3; i++) first.OnSent(TimeSpan.FromSeconds(1));

        first.DelayBefore(TimeSpan.FromSeconds(1)).Should().Be(TimeSpan.FromSeconds(1));
        new UtterancePacer(time, TimeSpan.FromSeconds(3), enabled: true).DelayBefore(TimeSpan.FromSeconds(1)).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void After_the_producer_stalls_the_avatar_has_run_dry_so_a_new_burst_may_go_at_once()
    {
        var time = new TimerWatchingTimeProvider();
        var pacer = new UtterancePacer(time, TimeSpan.FromSeconds(3), enabled: true);
        for (var i = 0; i < 3; i++) pacer.OnSent(TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromSeconds(10));

        pacer.DelayBefore(TimeSpan.FromSeconds(1)).Should().Be(TimeSpan.Zero);
        pacer.OnSent(TimeSpan.FromSeconds(1));
        pacer.OnSent(TimeSpan.FromSeconds(1));
        pacer.OnSent(TimeSpan.FromSeconds(1));
        pacer.DelayBefore(TimeSpan.FromSeconds(1)).Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Pacing_slower_than_real_time_production_never_waits()
    {
        var time = new TimerWatchingTimeProvider();
        var pacer = new UtterancePacer(time, TimeSpan.FromSeconds(3), enabled: true);
        for (var i = 0; i < 20; i++)
        {
            pacer.DelayBefore(TimeSpan.FromMilliseconds(500)).Should().Be(TimeSpan.Zero);
            pacer.OnSent(TimeSpan.FromMilliseconds(500));
            time.Advance(TimeSpan.FromMilliseconds(500));
        }
    }
}
