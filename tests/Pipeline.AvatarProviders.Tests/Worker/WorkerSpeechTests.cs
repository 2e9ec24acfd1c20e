using System.Diagnostics;
using Pipeline.AvatarProviders.Tests.Drivers;
using Pipeline.AvatarWorker.Emulator;
using Pipeline.Core.Frames;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarProviders.Tests.Worker;

/// <summary>
/// The worker provider end to end, as the emulated worker saw it: the speech it received (exactly what the TTS sent,
/// chunked and paced), interruptions (<c>lk.clear_buffer</c>, nothing more of that utterance) and many of them in a
/// row (the avatar is never left deaf).
/// </summary>
public sealed class WorkerSpeechTests
{
    private const int SessionRate = 24_000;

    [Fact]
    public async Task The_worker_receives_exactly_the_TTS_audio_resampled_to_the_session_rate_in_chunks_no_faster_than_real_time()
    {
        const int TtsRate = 16_000;
        TimeSpan duration = TimeSpan.FromSeconds(2);
        byte[] pcm = Speech.Make(duration, TtsRate);
        await using WorkerDriver d = await WorkerDriver.StartAsync(rig => rig.CreateService());

        var clock = Stopwatch.StartNew();
        await d.QueueAsync([new TTSStartedFrame { ContextId = "u" }, .. Speech.TtsFrames(pcm, TtsRate, "u"), new TTSStoppedFrame { ContextId = "u" }]);
        AudioStreamRecord stream = await OneStreamAsync(d);
        await d.UntilAsync(() => stream.TrailerReceived, "the utterance's stream closing", duration);
        TimeSpan streamed = clock.Elapsed;
        await d.UntilAsync(() => d.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), "the avatar finishing", duration);

        stream.ReceivedPcm.Should().Equal(Speech.ResampledTo24k(pcm, TtsRate, TimeSpan.FromMilliseconds(20)),
            "the worker gets the TTS audio, resampled to the session's 24 kHz, byte for byte");
        AvatarWorkerProtocol.TryReadAudioFormat(stream.Attributes, out int rate, out int channels).Should().BeTrue();
        (rate, channels).Should().Be((SessionRate, 1));
        stream.ChunkCount.Should().BeGreaterThan(10, "speech goes out in small chunks as it is due, not as one block");
        streamed.Should().BeGreaterThan(duration - TimeSpan.FromMilliseconds(300) - TimeSpan.FromMilliseconds(100),
            "the speech is paced at real time, at most the 300 ms lead ahead");
        stream.Cleared.Should().BeFalse();
        d.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task An_interruption_sends_lk_clear_buffer_and_no_further_audio_of_that_utterance()
    {
        byte[] pcm = Speech.Make(TimeSpan.FromSeconds(4), SessionRate);
        await using WorkerDriver d = await WorkerDriver.StartAsync(rig => rig.CreateService());
        await d.QueueAsync([new TTSStartedFrame { ContextId = "long" }, .. Speech.TtsFrames(pcm, SessionRate, "long"), new TTSStoppedFrame { ContextId = "long" }]);
        await d.UntilAsync(() => d.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), "the avatar talking", TimeSpan.FromSeconds(4));
        AudioStreamRecord interrupted = await OneStreamAsync(d);

        await d.Task.QueueFrameAsync(new InterruptionFrame());

        WorkerSessionRecord session = d.Ledger.Sessions.Single();
        await d.UntilAsync(() => session.ClearBufferCalls.Count == 1, "lk.clear_buffer reaching the worker", TimeSpan.FromSeconds(2));
        long atClear = interrupted.TotalBytes;
        await d.UntilAsync(() => d.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), "the avatar stopping", TimeSpan.FromSeconds(2));

        // A later utterance is spoken in full; by then anything still in flight of the first would have arrived.
        await d.QueueAsync([new TTSStartedFrame { ContextId = "next" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), SessionRate), SessionRate, "next"), new TTSStoppedFrame { ContextId = "next" }]);
        await d.UntilAsync(() => session.Streams.Count == 2 && session.Streams[1].TrailerReceived, "the next utterance streamed", TimeSpan.FromSeconds(2));

        session.ClearBufferCalls.Should().ContainSingle().Which.CallerIdentity.Should().Be(LoopbackRoom.AgentIdentity);
        interrupted.TotalBytes.Should().Be(atClear, "nothing of the interrupted utterance follows the clear");
        interrupted.TotalBytes.Should().BeLessThan(pcm.Length / 2, "the utterance was cut early, not streamed ahead of time");
        interrupted.ReceivedPcm.Should().Equal(pcm.AsSpan(0, (int)interrupted.TotalBytes).ToArray(), "what was sent is the utterance's beginning, unaltered");
        d.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task After_100_rapid_interruptions_a_later_utterance_is_still_played_to_its_end()
    {
        await using WorkerDriver d = await WorkerDriver.StartAsync(rig => rig.CreateService());
        WorkerSessionRecord session = d.Ledger.Sessions.Single();
        byte[] burst = Speech.Make(TimeSpan.FromMilliseconds(500), SessionRate);
        for (int i = 0; i < 100; i++)
        {
            // Each interruption cuts speech the worker already has (its stream arrived), so each one is a real
            // lk.clear_buffer; none waits for the previous clear's answer.
            await d.QueueAsync([new TTSStartedFrame { ContextId = $"cut-{i}" }, .. Speech.TtsFrames(burst, SessionRate, $"cut-{i}")]);
            await d.UntilAsync(() => session.Streams.Count > i, $"interrupted utterance {i + 1} reaching the worker", TimeSpan.FromSeconds(1));
            await d.Task.QueueFrameAsync(new InterruptionFrame());
        }

        byte[] last = Speech.Make(TimeSpan.FromSeconds(1), SessionRate);
        await d.QueueAsync([new TTSStartedFrame { ContextId = "heard" }, .. Speech.TtsFrames(last, SessionRate, "heard"), new TTSStoppedFrame { ContextId = "heard" }]);

        try
        {
            await d.UntilAsync(() => session.Streams.Count > 0 && PlayedToTheEnd(session, session.Streams[^1]), "the last utterance played to its end", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Streams: {session.Streams.Count}, last: {session.Streams[^1]} cleared={session.Streams[^1].Cleared}; " +
                $"clears: {session.ClearBufferCalls.Count}, last clear at {session.ClearBufferCalls[^1].At:HH:mm:ss.fff} (had audio {session.ClearBufferCalls[^1].HadAudio}), last stream opened {session.Streams[^1].OpenedAt:HH:mm:ss.fff}, previous stream opened {session.Streams[^2].OpenedAt:HH:mm:ss.fff}; last RPCs: {string.Join(" | ", session.RpcsSent.TakeLast(4))}; errors: {string.Join(" | ", d.Errors.Select(x => x.Message))}", e);
        }

        AudioStreamRecord heard = session.Streams[^1];
        heard.ReceivedPcm.Should().Equal(last, "the whole last utterance reached the worker");
        heard.Cleared.Should().BeFalse();
        session.Streams.Should().HaveCount(101);
        session.Streams.Take(100).Should().OnlyContain(st => st.TotalBytes < burst.Length || st.Cleared, "each of the 100 was cut");
        session.ClearBufferCalls.Should().HaveCount(100, "each interruption of speech the worker had was a clear");
        session.InRoom.Should().BeTrue();
        d.AtEnd.OfType<BotStartedSpeakingFrame>().Should().NotBeEmpty();
        d.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_worker_that_never_answers_lk_clear_buffer_does_not_leave_the_avatar_deaf()
    {
        await using WorkerDriver d = await WorkerDriver.StartAsync(rig => rig.CreateService(), faults => faults.SilentClearBuffer = true);
        for (int i = 0; i < 3; i++)
        {
            await d.QueueAsync([new TTSStartedFrame { ContextId = $"cut-{i}" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), SessionRate), SessionRate, $"cut-{i}")]);
            await d.UntilAsync(() => d.AtEnd.OfType<BotStartedSpeakingFrame>().Count() > i, $"the avatar talking ({i + 1})", TimeSpan.FromSeconds(2));
            await d.Task.QueueFrameAsync(new InterruptionFrame());
            await d.UntilAsync(() => d.AtEnd.OfType<BotStoppedSpeakingFrame>().Count() > i, $"the avatar taken as stopped ({i + 1}) once the clear's bounded wait ran out", TimeSpan.FromSeconds(3));
        }

        byte[] last = Speech.Make(TimeSpan.FromSeconds(1), SessionRate);
        await d.QueueAsync([new TTSStartedFrame { ContextId = "heard" }, .. Speech.TtsFrames(last, SessionRate, "heard"), new TTSStoppedFrame { ContextId = "heard" }]);

        WorkerSessionRecord session = d.Ledger.Sessions.Single();
        await d.UntilAsync(() => session.Streams.Count == 4 && PlayedToTheEnd(session, session.Streams[^1]), "the last utterance played to its end", TimeSpan.FromSeconds(10));
        session.Streams[^1].ReceivedPcm.Should().Equal(last);
        session.ClearBufferCalls.Should().HaveCount(3);
    }

    /// <summary>Whether the worker reported <paramref name="stream"/> played to its end (<c>lk.playback_finished</c>, not interrupted).</summary>
    private static bool PlayedToTheEnd(WorkerSessionRecord session, AudioStreamRecord stream) =>
        session.RpcsSent.Any(r => r.Method == AvatarWorkerProtocol.PlaybackFinishedMethod && r.StreamId == stream.StreamId
            && AvatarWorkerProtocol.TryParsePlaybackFinished(r.Payload, out _, out bool interrupted) && !interrupted);

    private static async Task<AudioStreamRecord> OneStreamAsync(WorkerDriver d)
    {
        await d.UntilAsync(() => d.Ledger.Sessions.SingleOrDefault()?.Streams.Count > 0, "the worker receiving a stream", TimeSpan.FromSeconds(2));
        return d.Ledger.Sessions.Single().Streams.Single();
    }
}
