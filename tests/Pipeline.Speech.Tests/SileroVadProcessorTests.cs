using Pipeline.Core.Frames;
using Pipeline.Silero;
using Pipeline.Speech.Tests.Support;

namespace Pipeline.Speech.Tests;

public sealed class SileroVadProcessorTests(SileroModelFixture silero) : IClassFixture<SileroModelFixture>
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(100);

    [Theory]
    [InlineData(16_000, 1)]
    [InlineData(8_000, 1)]
    [InlineData(44_100, 2)]
    public async Task User_speaking_frames_surround_each_sentence_and_all_audio_passes_on(int rate, int channels)
    {
        SpeechTrack track = (await TestTracks.TwoSentences).At(rate);
        List<Frame> input = VadPipelineRun.AudioFrames(track, channels).ToList();

        List<Frame> output = await VadPipelineRun.RunAsync(new SileroVadProcessor(silero.Model), input);

        output.OfType<InputAudioRawFrame>().Should().Equal(input.Cast<InputAudioRawFrame>(), "audio passes on unchanged and in order");
        List<Frame> speaking = output.Where(f => f is UserStartedSpeakingFrame or UserStoppedSpeakingFrame).ToList();
        speaking.Select(f => f.GetType()).Should().Equal(
            typeof(UserStartedSpeakingFrame), typeof(UserStoppedSpeakingFrame), typeof(UserStartedSpeakingFrame), typeof(UserStoppedSpeakingFrame));
        for (int i = 0; i < track.Speech.Count; i++)
        {
            ((TimeSpan)speaking[2 * i].Metadata[SileroVadProcessor.PositionMetadataKey]!).Should().BeCloseTo(track.Speech[i].Start, Tolerance);
            ((TimeSpan)speaking[(2 * i) + 1].Metadata[SileroVadProcessor.PositionMetadataKey]!).Should().BeCloseTo(track.Speech[i].End, Tolerance);
        }

        output.OfType<InterruptionFrame>().Should().BeEmpty("the bot never spoke");
    }

    [Fact]
    public async Task The_user_speaking_while_the_bot_speaks_interrupts_before_the_started_frame()
    {
        SpeechTrack track = await TestTracks.TwoSentences;
        List<Frame> input = [new BotStartedSpeakingFrame(), .. VadPipelineRun.AudioFrames(track)];

        List<Frame> output = await VadPipelineRun.RunAsync(new SileroVadProcessor(silero.Model), input);

        List<Frame> turnFrames = output.Where(f => f is InterruptionFrame or UserStartedSpeakingFrame).ToList();
        turnFrames.Select(f => f.GetType()).Should().Equal(
            typeof(InterruptionFrame), typeof(UserStartedSpeakingFrame), typeof(InterruptionFrame), typeof(UserStartedSpeakingFrame));
    }

    [Fact]
    public async Task The_bot_having_stopped_speaking_means_no_interruption()
    {
        SpeechTrack track = await TestTracks.TwoSentences;
        List<Frame> input = [new BotStartedSpeakingFrame(), new BotStoppedSpeakingFrame(), .. VadPipelineRun.AudioFrames(track)];

        List<Frame> output = await VadPipelineRun.RunAsync(new SileroVadProcessor(silero.Model), input);

        output.OfType<UserStartedSpeakingFrame>().Should().HaveCount(2);
        output.OfType<InterruptionFrame>().Should().BeEmpty();
    }

    [Fact]
    public async Task No_interruption_when_the_pipeline_does_not_allow_interruptions()
    {
        SpeechTrack track = await TestTracks.TwoSentences;
        List<Frame> input = [new BotStartedSpeakingFrame(), .. VadPipelineRun.AudioFrames(track)];

        List<Frame> output = await VadPipelineRun.RunAsync(new SileroVadProcessor(silero.Model), input, allowInterruptions: false);

        output.OfType<UserStartedSpeakingFrame>().Should().HaveCount(2);
        output.OfType<InterruptionFrame>().Should().BeEmpty();
    }

    [Fact]
    public async Task Ten_seconds_of_low_noise_produce_no_speaking_frames()
    {
        SpeechTrack noise = SpeechTrack.Silence(TimeSpan.FromSeconds(10)).WithNoise(-45);

        List<Frame> output = await VadPipelineRun.RunAsync(new SileroVadProcessor(silero.Model), VadPipelineRun.AudioFrames(noise));

        output.Should().AllBeOfType<InputAudioRawFrame>();
    }
}
