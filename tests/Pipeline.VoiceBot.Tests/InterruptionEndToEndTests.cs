using Pipeline.AI.Llm;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.Silero;
using Pipeline.Testing;
using Pipeline.VoiceBot.Tests.Support;
using Xunit.Abstractions;
using ChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Pipeline.VoiceBot.Tests;

public sealed class InterruptionEndToEndTests(ITestOutputHelper output)
{
    private const string Question = "What is the weather like today?";
    private const string FirstSentence = "It is sunny.";
    private const string Reply = FirstSentence +
        " The forecast says it will stay warm and dry for the rest of the week, with a light breeze from the west in the afternoons." +
        " Tomorrow morning may start with some fog in the valleys, but it should clear well before noon.";

    /// <summary>Silero analyses 32 ms windows: the VAD decides once per window.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(32);

    [Fact]
    public async Task The_user_speaking_during_the_reply_interrupts_the_avatar_within_one_VAD_start_window_and_only_the_spoken_sentence_is_remembered()
    {
        var vad = new VadOptions { StartDuration = TimeSpan.FromMilliseconds(200) };
        var script = new ScriptedChatClientOptions();
        script.Replies.Clear();
        script.Replies.Add(new ScriptedReply(["weather", "today", "like"], Reply));
        await using OfflineVoiceBot bot = await OfflineVoiceBot.StartAsync(script, vad);
        UserSpeech question = await UserSpeech.SayAsync(Question, lead: TimeSpan.FromMilliseconds(500), tail: TimeSpan.FromMilliseconds(1200));
        UserSpeech interjection = await UserSpeech.SayAsync("No, no, wait a moment please.", lead: TimeSpan.FromMilliseconds(300), tail: TimeSpan.Zero);

        await bot.Harness.QueueAsync([.. question.Frames()]);
        await bot.Harness.WhenAtEnd<BotStartedSpeakingFrame>();
        // The avatar starts on the first chunk; the TTS may still be synthesising the first sentence then.
        await bot.Timeline.WhenPushed<TTSTextFrame>(bot.Tts).WaitAsync(bot.Harness.Hang);
        TimeSpan firstSentence = SpokenBeforeFirstText(bot);

        // From here the microphone delivers in real time, as a transport does: 20 ms of audio every 20 ms. It hears
        // silence until the avatar is well into its second sentence, then the user talks over it.
        using var tick = new PeriodicTimer(UserSpeech.Chunk);
        using var hang = new CancellationTokenSource(bot.Harness.Hang);
        TimeSpan delivered = question.Duration;
        while (bot.EmulatedAvatar.SpeechPlayed < firstSentence + TimeSpan.FromMilliseconds(500))
        {
            await tick.WaitForNextTickAsync(hang.Token);
            await bot.Harness.QueueAsync(UserSpeech.SilenceFrame());
            delivered += UserSpeech.Chunk;
        }

        RealtimeEventRecorder realtime = bot.Realtime;
        var heard = new MicrophoneClock(delivered);
        foreach (InputAudioRawFrame chunk in interjection.Frames())
        {
            if (realtime.OfType("agent.interrupt").Count > 0)
            {
                break;
            }

            await tick.WaitForNextTickAsync(hang.Token);
            await bot.Harness.QueueAsync(chunk);
            heard.Delivered(chunk, DateTimeOffset.UtcNow);
        }

        await realtime.WaitForCountAsync("agent.interrupt", 1).WaitAsync(bot.Harness.Hang);
        await bot.Harness.QueueAsync(new EndFrame());
        PipelineFinish finish = await bot.Harness.FinishAsync();

        // In audio time (stream positions, exact whatever the machine's load): the onset as written into the WAV, as
        // the VAD placed it (its first speech window; the speech tests bound that to 100 ms), and the end of the chunk
        // during which the VAD pushed the InterruptionFrame.
        TimeSpan onset = delivered + interjection.SpeechStart;
        UserStartedSpeakingFrame started = bot.Timeline.From<UserStartedSpeakingFrame>(bot.Vad)[^1].Frame;
        TimeSpan detected = (TimeSpan)started.Metadata[SileroVadProcessor.PositionMetadataKey]!;
        TimeSpan decided = AudioPassedOnBefore<InterruptionFrame>(bot) + UserSpeech.Chunk;
        // In wall time, for the record: the machine's scheduling adds to it (a loaded 2-core machine adds up to ~150 ms).
        DateTimeOffset onsetAt = heard.TimeOf(interjection.SpeechStart, inInterjection: true);
        DateTimeOffset interruptionAt = bot.Timeline.From<InterruptionFrame>(bot.Vad).Single().At;
        DateTimeOffset avatarInterruptedAt = realtime.OfType("agent.interrupt")[0].ReceivedAt;
        output.WriteLine(
            $"audio time: onset (WAV) -> VAD's onset {(detected - onset).TotalMilliseconds:F0} ms -> decision {(decided - detected).TotalMilliseconds:F0} ms; " +
            $"wall time: onset -> InterruptionFrame {(interruptionAt - onsetAt).TotalMilliseconds:F0} ms -> agent.interrupt at the emulator {(avatarInterruptedAt - interruptionAt).TotalMilliseconds:F0} ms");
        (detected - onset).Duration().Should().BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(100), "the VAD places speech onsets within 100 ms");
        // The VAD decides at the end of the window that completes StartDuration of speech (rounded up to whole windows);
        // the 20 ms chunk carrying that window's end arrives within the next window.
        (decided - detected).Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(RoundUpToWindows(vad.StartDuration) + Window,
            "the user's speech interrupts the avatar within one VAD start window");
        avatarInterruptedAt.Should().BeOnOrAfter(interruptionAt);
        realtime.OfType("agent.interrupt").Should().ContainSingle("the interruption and the user starting to speak stop the same speech once");

        string contextId = bot.Timeline.From<TTSStartedFrame>(bot.Tts)[0].Frame.ContextId!;
        realtime.OfType("agent.speak_end").Select(e => e.EventId).Should().Equal(contextId);
        bot.Llm.Context.Messages.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Text).Should().Equal(
            [FirstSentence], "the avatar was cut off in its second sentence: only the first was spoken");
        bot.Harness.AtEnd.OfType<BotStoppedSpeakingFrame>().Should().ContainSingle();
        bot.Emulator.Sessions.OpenedCount.Should().Be(1);
        bot.Emulator.Sessions.StoppedCount.Should().Be(1);
        finish.Reason.Should().Be(PipelineFinishReason.Ended);
        finish.RunningTaskCount.Should().Be(0, "no task outlives the run: {0}", string.Join(", ", finish.RunningTaskNames));
        bot.Harness.Errors.Should().BeEmpty();
    }

    private static TimeSpan RoundUpToWindows(TimeSpan duration) =>
        TimeSpan.FromTicks((duration.Ticks + Window.Ticks - 1) / Window.Ticks * Window.Ticks);

    /// <summary>How much microphone audio the VAD had passed on before it pushed the first <typeparamref name="T"/>.</summary>
    private static TimeSpan AudioPassedOnBefore<T>(OfflineVoiceBot bot)
        where T : Frame
    {
        TimeSpan audio = TimeSpan.Zero;
        foreach (Pipeline.Core.Observers.FramePushed push in bot.Timeline.Pushes.Where(p => p.Source == bot.Vad && p.Direction == FrameDirection.Downstream))
        {
            switch (push.Frame)
            {
                case T:
                    return audio;
                case InputAudioRawFrame chunk:
                    audio += PcmFormat.DurationOf(chunk.Audio.Length, chunk.SampleRate);
                    break;
            }
        }

        throw new InvalidOperationException($"The VAD never pushed a {typeof(T).Name}.");
    }

    /// <summary>How long the reply's audio is up to its first <see cref="TTSTextFrame"/> (the end of the first sentence).</summary>
    private static TimeSpan SpokenBeforeFirstText(OfflineVoiceBot bot)
    {
        TimeSpan audio = TimeSpan.Zero;
        foreach (Pipeline.Core.Observers.FramePushed push in bot.Timeline.Pushes.Where(p => p.Source == bot.Tts && p.Direction == FrameDirection.Downstream))
        {
            switch (push.Frame)
            {
                case TTSAudioRawFrame chunk:
                    audio += PcmFormat.DurationOf(chunk.Audio.Length, chunk.SampleRate);
                    break;
                case TTSTextFrame text:
                    text.Text.Should().Be(FirstSentence);
                    return audio;
            }
        }

        throw new InvalidOperationException("The TTS never pushed the first sentence's text.");
    }
}
