using Pipeline.HeyGen.Realtime.Tests.Support;

namespace Pipeline.HeyGen.Realtime.Tests;

/// <summary>One owner per utterance: the utterance object chunks its audio once and its completion says how it ended.</summary>
public sealed class UtteranceTests
{
    [Fact]
    public async Task An_utterance_is_chunked_once_first_chunk_early_then_whole_chunks_and_completes_when_spoken()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);
        var utterance = h.Client.BeginUtterance("u", firstChunk: TimeSpan.FromMilliseconds(400));
        var audio = TestAudio.Seconds(2);

        for (var offset = 0; offset < audio.Length; offset += 960)
        {
            await utterance.AppendAsync(audio.AsMemory(offset, Math.Min(960, audio.Length - offset)), CancellationToken.None);
        }

        await utterance.EndAsync(CancellationToken.None);
        await h.Recorder.WaitForCountAsync("agent.speak_end", 1);
        h.Recorder.OfType("agent.speak").Select(e => e.Audio!.Length).Should().Equal(19_200, 48_000, 28_800);
        h.Recorder.AudioOf("u").Should().Equal(audio);
        utterance.Completion.IsCompleted.Should().BeFalse("two seconds have not played yet");

        h.Time.Advance(TimeSpan.FromSeconds(2));
        await utterance.Completion.WaitAsync(TestTimeouts.Wait);
        utterance.Completion.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task A_dropped_connection_faults_the_completion_of_the_utterance_in_flight()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false, faults: f => f.DropAfterMessages = 1);
        var utterance = h.Client.BeginUtterance("lost");

        await utterance.AppendAsync(TestAudio.Seconds(3), CancellationToken.None);
        await utterance.Completion.Invoking(c => c.WaitAsync(TestTimeouts.Wait)).Should().ThrowAsync<HeyGenRealtimeException>()
            .Where(e => e.Failure == RealtimeFailure.UtteranceLost && e.Message.Contains("utterance lost"));

        // Ending a lost utterance tells the avatar to drop what it holds of it.
        await h.Events.WaitForAsync<RealtimeReconnectedEventArgs>();
        await utterance.EndAsync(CancellationToken.None);
        await h.Recorder.WaitForCountAsync("agent.interrupt", 1);
        h.Recorder.OfType("agent.interrupt").Single().EventId.Should().Be("lost");
        h.Recorder.OfType("agent.speak_end").Should().BeEmpty();
    }

    [Fact]
    public async Task Interrupting_completes_every_open_utterance_and_tells_the_avatar_only_when_it_had_speech()
    {
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);
        var silent = h.Client.BeginUtterance("silent");
        (await h.Client.InterruptAllAsync()).Should().BeFalse("nothing was spoken");
        silent.Completion.IsCompletedSuccessfully.Should().BeTrue();

        var spoken = h.Client.BeginUtterance("spoken");
        await spoken.AppendAsync(TestAudio.Seconds(1), CancellationToken.None);
        await h.Recorder.WaitForCountAsync("agent.speak", 1);
        (await h.Client.InterruptAllAsync()).Should().BeTrue();
        spoken.Completion.IsCompletedSuccessfully.Should().BeTrue();
        await spoken.AppendAsync(TestAudio.Seconds(1), CancellationToken.None);
        await h.Recorder.WaitForCountAsync("agent.interrupt", 1);

        h.Recorder.OfType("agent.interrupt").Single().EventId.Should().Be("spoken");
        h.Recorder.OfType("agent.speak").Should().ContainSingle("audio appended after the interruption is dropped");
    }

    [Fact]
    public async Task Interrupting_twice_in_a_row_tells_the_avatar_once()
    {
        // A VAD sends an InterruptionFrame and then a UserStartedSpeakingFrame; the avatar service interrupts on both.
        await using var h = await RealtimeHarness.StartAsync(o => o.PaceToRealTime = false);
        var spoken = h.Client.BeginUtterance("spoken");
        await spoken.AppendAsync(TestAudio.Seconds(1), CancellationToken.None);
        await spoken.EndAsync(CancellationToken.None);
        await h.Recorder.WaitForCountAsync("agent.speak_end", 1);

        (await h.Client.InterruptAllAsync()).Should().BeTrue();
        (await h.Client.InterruptAllAsync()).Should().BeFalse("the utterance was already interrupted");
        await h.Client.StartListeningAsync();
        await h.Recorder.WaitForCountAsync("agent.start_listening", 1);

        h.Recorder.OfType("agent.interrupt").Should().ContainSingle().Which.EventId.Should().Be("spoken");
    }
}
