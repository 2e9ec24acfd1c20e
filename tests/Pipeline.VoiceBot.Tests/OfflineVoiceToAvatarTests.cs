using Pipeline.AI.Llm;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Emulator.Realtime;
using Pipeline.Testing;
using Pipeline.VoiceBot.Tests.Support;
using Xunit.Abstractions;
using ChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Pipeline.VoiceBot.Tests;

public sealed class OfflineVoiceToAvatarTests(ITestOutputHelper output)
{
    // pocketsphinx gets ~40 % of espeak-ng's words wrong, so the script answers on any of several words of the question
    // and the test asserts on the reply it chose, not on the exact transcript.
    private const string Question = "What is the weather like today?";
    private static readonly string[] QuestionKeywords = ["weather", "today", "like"];

    [Fact]
    public async Task A_spoken_question_is_answered_by_the_avatar_speaking_exactly_the_TTS_audio()
    {
        const string reply = "It is sunny and warm. Enjoy your day!";
        await using OfflineVoiceBot bot = await OfflineVoiceBot.StartAsync(Script(reply));
        UserSpeech question = await UserSpeech.SayAsync(Question, lead: TimeSpan.FromMilliseconds(500), tail: TimeSpan.FromMilliseconds(1200));

        await bot.Harness.QueueAsync([.. question.Frames()]);
        await bot.Harness.WhenAtEnd<BotStoppedSpeakingFrame>();
        RealtimeEventRecorder realtime = bot.Realtime;
        TimeSpan played = bot.EmulatedAvatar.SpeechPlayed;
        await bot.Harness.QueueAsync(new EndFrame());
        PipelineFinish finish = await bot.Harness.FinishAsync();

        TranscriptionFrame heard = bot.Timeline.From<TranscriptionFrame>(bot.Stt).Single().Frame;
        output.WriteLine($"pocketsphinx heard: '{heard.Text}'");
        bot.Llm.Context.Messages.Where(m => m.Role == ChatRole.User).Select(m => m.Text).Should().Equal(heard.Text);
        bot.Llm.Context.Messages.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Text).Should().Equal(
            [reply], "the whole reply was spoken, sentence by sentence");

        string contextId = bot.Timeline.From<TTSStartedFrame>(bot.Tts).Single().Frame.ContextId!;
        IReadOnlyList<TTSAudioRawFrame> ttsAudio = [.. bot.Timeline.From<TTSAudioRawFrame>(bot.Tts).Select(p => p.Frame)];
        ttsAudio.Should().NotBeEmpty().And.OnlyContain(f => f.ContextId == contextId && f.SampleRate == OfflineVoiceBot.TtsSampleRate);
        byte[] expected = ResampledTo24k(ttsAudio);
        realtime.AudioOf(contextId).Should().Equal(expected, "the avatar received exactly the TTS audio, resampled to 24 kHz");
        realtime.OfType("agent.speak_end").Select(e => e.EventId).Should().Equal(contextId);
        played.Should().BeCloseTo(PcmFormat.DurationOf(expected.Length, 24_000), TimeSpan.FromMilliseconds(60));

        bot.Harness.AtEnd.OfType<BotStartedSpeakingFrame>().Should().ContainSingle();
        bot.Harness.AtEnd.OfType<BotStoppedSpeakingFrame>().Should().ContainSingle();
        bot.Harness.AtEnd.OfType<OutputImageRawFrame>().Should().NotBeEmpty("the avatar's video reached the end of the pipeline");
        bot.Harness.AtEnd.OfType<TTSAudioRawFrame>().Should().BeEmpty("the avatar consumes the TTS audio");
        bot.Emulator.Sessions.OpenedCount.Should().Be(1);
        bot.Emulator.Sessions.StoppedCount.Should().Be(1);
        bot.Emulator.Sessions.Open.Should().BeEmpty();
        finish.Reason.Should().Be(PipelineFinishReason.Ended);
        finish.RunningTaskCount.Should().Be(0, "no task outlives the run: {0}", string.Join(", ", finish.RunningTaskNames));
        bot.Harness.Errors.Should().BeEmpty();
    }

    private static ScriptedChatClientOptions Script(string reply)
    {
        var script = new ScriptedChatClientOptions();
        script.Replies.Clear();
        script.Replies.Add(new ScriptedReply(QuestionKeywords, reply));
        return script;
    }

    /// <summary>What the avatar service must send: the TTS frames resampled to 24 kHz one by one with one resampler, tail flushed.</summary>
    private static byte[] ResampledTo24k(IReadOnlyList<TTSAudioRawFrame> frames)
    {
        using var resampler = new StreamingResampler(frames[0].SampleRate, 24_000);
        var resampled = new List<byte>();
        foreach (TTSAudioRawFrame frame in frames)
        {
            resampled.AddRange(resampler.Resample(frame.Audio.Span));
        }

        byte[] tail = new byte[resampler.MaxFlushBytes];
        resampled.AddRange(tail.AsSpan(0, resampler.Flush(tail)).ToArray());
        return [.. resampled];
    }
}
