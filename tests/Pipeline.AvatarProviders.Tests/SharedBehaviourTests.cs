using Pipeline.AvatarProviders.Tests.Drivers;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.AvatarProviders.Tests;

/// <summary>
/// One behaviour suite, the same pipeline code, the avatar service swapped: HeyGen on its emulator (relay, fake clock)
/// and a LiveKit avatar worker (<c>LiveKitAvatarWorkerSessionFactory</c> + the Beyond Presence dispatcher + the
/// emulated worker over the loopback SFU, real WebRTC in real time). The same frames go in; the same outcomes come out.
/// </summary>
public sealed class SharedBehaviourTests
{
    private const int Rate = 24_000;

    public static TheoryData<string> Providers => new() { Provider.HeyGen, Provider.Worker };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Speech_is_spoken_and_the_avatar_reports_speaking_started_then_stopped(string provider)
    {
        await using ProviderDriver d = await Provider.StartAsync(provider);
        await d.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "s" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), Rate), Rate, "s"), new TTSStoppedFrame { ContextId = "s" }]);

        await d.UntilAsync(() => d.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), "the avatar finishing", TimeSpan.FromSeconds(60));

        Frame[] atEnd = [.. d.AtEnd];
        atEnd.OfType<BotStartedSpeakingFrame>().Should().ContainSingle();
        Array.FindIndex(atEnd, f => f is BotStartedSpeakingFrame).Should().BeLessThan(Array.FindIndex(atEnd, f => f is BotStoppedSpeakingFrame));
        atEnd.OfType<TTSAudioRawFrame>().Should().BeEmpty("the avatar consumes the TTS audio");
        if (d.MediaThroughPipeline)
        {
            atEnd.OfType<OutputImageRawFrame>().Should().NotBeEmpty("a relayed avatar's video comes down the pipeline");
        }
        else
        {
            atEnd.OfType<OutputImageRawFrame>().Should().BeEmpty("a worker publishes its video into the room, not through the pipeline");
        }

        d.Errors.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_interruption_stops_the_avatar(string provider)
    {
        await using ProviderDriver d = await Provider.StartAsync(provider);
        await d.QueueAsync([new TTSStartedFrame { ContextId = "long" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(4), Rate), Rate, "long"), new TTSStoppedFrame { ContextId = "long" }]);
        await d.UntilAsync(() => d.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), "the avatar talking", TimeSpan.FromSeconds(60));

        await d.Task.QueueFrameAsync(new InterruptionFrame());

        await d.UntilAsync(() => d.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), "the avatar stopping", TimeSpan.FromSeconds(1));
        d.StopRequests.Should().Be(1, "the avatar was told once to stop");
        d.Errors.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_EndFrame_lets_the_avatar_finish_then_closes_the_session_once(string provider)
    {
        await using ProviderDriver d = await Provider.StartAsync(provider);
        await d.QueueAsync([new TTSStartedFrame { ContextId = "e" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), Rate), Rate, "e"), new EndFrame()]);

        await d.UntilAsync(() => d.Running.IsCompleted, "the run ending", TimeSpan.FromSeconds(60));

        (await d.Running).Should().Be(PipelineFinishReason.Ended);
        Frame[] atEnd = [.. d.AtEnd];
        Array.FindIndex(atEnd, f => f is BotStoppedSpeakingFrame).Should().BeInRange(0, Array.FindIndex(atEnd, f => f is EndFrame),
            "the avatar finished speaking before the EndFrame left the service");
        await d.UntilAsync(() => d.Closed >= d.Opened, "the provider seeing its session end", TimeSpan.FromSeconds(5)); // a worker leaves the room a moment after its removal
        (d.Opened, d.Closed).Should().Be((1, 1));
        d.Errors.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_second_StartFrame_is_refused_and_opens_no_second_session(string provider)
    {
        await using ProviderDriver d = await Provider.StartAsync(provider);

        await d.Task.QueueFrameAsync(new StartFrame());

        await d.UntilAsync(() => d.Running.IsCompleted, "the run failing", TimeSpan.FromSeconds(60));
        (await d.Running.Invoking(r => r).Should().ThrowAsync<PipelineException>()).Which.Error.Message.Should().Contain("second StartFrame");
        await d.UntilAsync(() => d.Closed >= d.Opened, "the provider seeing its session end", TimeSpan.FromSeconds(5)); // a worker leaves the room a moment after its removal
        (d.Opened, d.Closed).Should().Be((1, 1));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Cancelling_closes_the_session_once(string provider)
    {
        await using ProviderDriver d = await Provider.StartAsync(provider);
        await d.QueueAsync([new TTSStartedFrame { ContextId = "c" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(4), Rate), Rate, "c")]);
        await d.UntilAsync(() => d.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), "the avatar talking", TimeSpan.FromSeconds(60));

        d.Task.Cancel();

        await d.UntilAsync(() => d.Running.IsCompleted, "the run ending", TimeSpan.FromSeconds(60));
        (await d.Running).Should().Be(PipelineFinishReason.Cancelled);
        await d.UntilAsync(() => d.Closed >= d.Opened, "the provider seeing its session end", TimeSpan.FromSeconds(5)); // a worker leaves the room a moment after its removal
        (d.Opened, d.Closed).Should().Be((1, 1));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_user_speaking_over_a_silent_avatar_sets_the_listening_pose_where_supported_and_stops_nothing(string provider)
    {
        await using ProviderDriver d = await Provider.StartAsync(provider);

        await d.QueueAsync(new UserStartedSpeakingFrame(), new UserStoppedSpeakingFrame());
        await d.UntilAsync(() => d.AtEnd.OfType<UserStoppedSpeakingFrame>().Any(), "the user's turn passing", TimeSpan.FromSeconds(5));
        await d.QueueAsync([new TTSStartedFrame { ContextId = "after" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), Rate), Rate, "after"), new TTSStoppedFrame { ContextId = "after" }]);
        await d.UntilAsync(() => d.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), "the avatar answering", TimeSpan.FromSeconds(60));

        d.StopRequests.Should().Be(0, "the avatar had been given no speech, so it is told nothing");
        if (d.SupportsListening)
        {
            d.ListeningStarts.Should().BeGreaterThanOrEqualTo(1, "the provider has a listening pose and the user spoke");
        }

        d.Errors.Should().BeEmpty();
    }
}
