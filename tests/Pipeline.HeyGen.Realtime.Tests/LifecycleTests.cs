using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Closing_ends_the_event_stream_and_every_later_call_throws_ObjectDisposedException()
    {
        await using var h = await RealtimeHarness.StartAsync();
        var reading = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var _ in h.Client.ReadEventsAsync()) count++;
            return count;
        });

        await h.Client.CloseAsync();
        await h.Client.CloseAsync();

        (await reading.WaitAsync(TestTimeouts.Wait)).Should().Be(2, "connecting and connected arrived before the close");
        h.Client.State.Should().Be(RealtimeConnectionState.Closed);
        await h.Client.Invoking(c => c.StartListeningAsync()).Should().ThrowAsync<ObjectDisposedException>();
        h.Events.Of<RealtimeDisconnectedEventArgs>().Should().BeEmpty("closing on purpose is not a disconnection");
    }

    [Fact]
    public async Task Closing_stops_the_keep_alive()
    {
        await using var h = await RealtimeHarness.StartAsync();

        await h.Client.CloseAsync();
        h.Time.Advance(TimeSpan.FromMinutes(10));

        h.Client.KeepAliveCount.Should().Be(0);
        h.Recorder.OfType("session.keep_alive").Should().BeEmpty();
    }

    [Fact]
    public async Task Concurrent_speech_and_control_calls_arrive_as_whole_messages_in_each_callers_order()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);
        var audio = TestAudio.Seconds(8, seed: 9);

        var speaker = Task.Run(async () =>
        {
            for (var offset = 0; offset < audio.Length; offset += 9_600) await h.Client.SpeakAsync(audio.AsMemory(offset, 9_600), "utt-1");
            await h.Client.SpeakEndAsync("utt-1");
        });
        var listeners = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await h.Client.StartListeningAsync();
                await h.Client.StopListeningAsync();
            }
        }));
        await Task.WhenAll([speaker, .. listeners]);
        await h.Recorder.WaitForAsync(events => events.Count == 40 + 1 + 200);

        var events = h.Recorder.Events;
        events.Should().NotContain(e => e.Type == RecordedClientEvent.Malformed);
        events.Count(e => e.Type == "agent.start_listening").Should().Be(100);
        events.Count(e => e.Type == "agent.stop_listening").Should().Be(100);
        events.Last(e => e.EventId == "utt-1").Type.Should().Be("agent.speak_end");
        h.Recorder.AudioOf("utt-1").Should().Equal(audio);
    }
}
