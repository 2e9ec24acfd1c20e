using Pipeline.Core.Frames;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>
/// The avatar takes speech faster than it speaks it, so TTS text passes on only once the avatar has spoken the audio
/// before it: what reaches an assistant-context aggregator after the avatar is what the user heard.
/// </summary>
public sealed class SpokenTextTests
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Each_sentence_passes_on_when_the_avatar_has_spoken_it()
    {
        await using AvatarHarness h = await StartedAsync();

        await SpeakTwoSentencesAsync(h);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), TimeSpan.FromSeconds(2), "the avatar starting to talk");
        h.AtEnd.OfType<TTSTextFrame>().Should().BeEmpty("nothing has been spoken yet, though the avatar has all the audio");
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<TTSTextFrame>().Any(), TimeSpan.FromSeconds(3), "the first sentence passing on");
        h.Avatar.SpeechPlayed.Should().BeCloseTo(TimeSpan.FromSeconds(2), Tolerance);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<TTSTextFrame>().Count() == 2, TimeSpan.FromSeconds(3), "the second sentence passing on");
        h.Avatar.SpeechPlayed.Should().BeCloseTo(TimeSpan.FromSeconds(3), Tolerance);

        h.AtEnd.OfType<TTSTextFrame>().Select(t => t.Text).Should().Equal("First sentence.", "Second sentence.");
        await h.QueueAsync(new EndFrame());
        await h.FinishAsync();
        h.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task An_interruption_drops_the_sentences_not_yet_spoken()
    {
        await using AvatarHarness h = await StartedAsync();
        await SpeakTwoSentencesAsync(h);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<TTSTextFrame>().Any(), TimeSpan.FromSeconds(4), "the first sentence passing on");
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(300));

        await h.Task.QueueFrameAsync(new InterruptionFrame());
        await h.Realtime.Recorder.WaitForCountAsync("agent.interrupt", 1).WaitAsync(AvatarHarness.Hang);
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        await h.QueueAsync(new EndFrame());
        await h.FinishAsync();

        h.AtEnd.OfType<TTSTextFrame>().Select(t => t.Text).Should().Equal(["First sentence."], "the avatar never spoke the second");
    }

    [Fact]
    public async Task The_end_of_the_pipeline_waits_for_the_avatar_and_passes_every_spoken_sentence_before_it()
    {
        await using AvatarHarness h = await StartedAsync();
        await SpeakTwoSentencesAsync(h);
        Pipeline.HeyGen.Emulator.Media.EmulatedAvatar avatar = h.Avatar;

        await h.QueueAsync(new EndFrame());
        await h.FinishAsync();

        List<Frame> atEnd = [.. h.AtEnd.Where(f => f is TTSTextFrame or EndFrame)];
        atEnd.Select(f => f is TTSTextFrame t ? t.Text : f.GetType().Name).Should().Equal("First sentence.", "Second sentence.", nameof(EndFrame));
        avatar.SpeechPlayed.Should().BeCloseTo(TimeSpan.FromSeconds(3), Tolerance);
    }

    private static async Task<AvatarHarness> StartedAsync()
    {
        AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        await h.QueueAsync(new OutputTransportReadyFrame());
        return h;
    }

    // 2 s of audio then its text, 1 s of audio then its text: what a TTS processor sends for a two-sentence reply.
    private static async Task SpeakTwoSentencesAsync(AvatarHarness h)
    {
        await h.QueueAsync(
        [
            new TTSStartedFrame { ContextId = "reply" },
            .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(2), 24_000), 24_000, "reply"),
            new TTSTextFrame("First sentence.") { ContextId = "reply" },
            .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), 24_000), 24_000, "reply"),
            new TTSTextFrame("Second sentence.") { ContextId = "reply" },
            new TTSStoppedFrame { ContextId = "reply" },
        ]);
    }
}
