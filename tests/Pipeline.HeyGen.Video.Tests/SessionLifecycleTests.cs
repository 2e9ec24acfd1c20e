using Microsoft.Extensions.DependencyInjection;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;

namespace Pipeline.HeyGen.Video.Tests;

public sealed class SessionLifecycleTests
{
    public enum StartFault
    {
        RestNewFails,
        RestStartFails,
        WebSocketRefused,
        MediaConnectFails,
    }

    [Theory]
    [InlineData(StartFault.RestNewFails, "open the session")]
    [InlineData(StartFault.RestStartFails, "open the session")]
    [InlineData(StartFault.WebSocketRefused, "connect the realtime websocket")]
    [InlineData(StartFault.MediaConnectFails, "join the avatar's room")]
    public async Task A_start_failure_is_a_fatal_error_and_leaves_no_session_open(StartFault fault, string step)
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(
            wrapConnector: inner => fault == StartFault.MediaConnectFails ? new FailingConnector() : inner);
        switch (fault)
        {
            case StartFault.RestNewFails:
                h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(500));
                break;
            case StartFault.RestStartFails:
                h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Status(400), times: 5);
                break;
            case StartFault.WebSocketRefused:
                h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingRealtime, EmulatedFault.Status(403), times: 10);
                break;
            default:
                break;
        }

        h.Start();

        var failure = await FluentActions.Awaiting(h.FinishAsync).Should().ThrowAsync<PipelineException>();
        failure.Which.Error.IsFatal.Should().BeTrue();
        failure.Which.Error.Message.Should().Contain(step);
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Cancel_mid_utterance_closes_the_session_and_leaves_no_task()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        await h.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "c" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(5), 24_000), 24_000, "c")]);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), TimeSpan.FromSeconds(2), "the avatar talking");

        h.Task.Cancel();

        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Cancelled);
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Emulator.Sessions.StoppedCount.Should().Be(1);
        h.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Cancel_while_the_session_is_still_starting_stops_the_half_open_session()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Delayed(TimeSpan.FromMinutes(5)));
        h.Start();
        await h.Emulator.Requests.WaitForAsync(EmulatorEndpoint.StreamingStart, 1).WaitAsync(AvatarHarness.Hang);

        h.Task.Cancel();

        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Cancelled);
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Cancel_while_streaming_new_is_answering_still_stops_the_session_it_opened()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.DelayResponse(TimeSpan.FromSeconds(5)));
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.Emulator.Sessions.OpenedCount == 1, "the service opening a session whose answer is held back");

        h.Task.Cancel();

        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Cancelled);
        h.Emulator.Sessions.Open.Should().BeEmpty("the late answer's session was stopped");
        h.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task End_mid_utterance_lets_the_avatar_finish_then_closes_once()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        byte[] speech = Speech.Make(TimeSpan.FromSeconds(1), 24_000);

        // No TTSStoppedFrame: the EndFrame itself ends the utterance.
        await h.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "e" }, .. Speech.TtsFrames(speech, 24_000, "e"), new EndFrame()]);

        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);
        h.Emulator.Sessions.StoppedCount.Should().Be(1);
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Emulator.Requests.CountFor(EmulatorEndpoint.StreamingStop).Should().Be(1, "the session is stopped exactly once");
        h.AtEnd.OfType<BotStoppedSpeakingFrame>().Should().ContainSingle("the avatar finished speaking before the session closed");
        h.AtEnd[^1].Should().BeOfType<EndFrame>();
        h.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task The_same_pipeline_code_runs_on_LiveAvatar()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync(liveAvatar: true);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        byte[] speech = Speech.Make(TimeSpan.FromSeconds(1), 16_000);

        await h.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "la" }, .. Speech.TtsFrames(speech, 16_000, "la"), new TTSStoppedFrame { ContextId = "la" }]);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), TimeSpan.FromSeconds(3), "the avatar finishing");
        await h.QueueAsync(new EndFrame());

        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);
        h.Video.Should().NotBeEmpty();
        h.Emulator.Sessions.All.Should().ContainSingle().Which.Product.Should().Be(EmulatedProduct.LiveAvatar);
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task The_service_is_registered_with_dependency_injection()
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        var services = new ServiceCollection();
        services.AddSingleton<IAvatarMediaConnector>(emulator.MediaConnector);
        services.AddHeyGenApi(o =>
        {
            o.ApiKey = emulator.ApiKey;
            o.BaseUrl = emulator.StreamingApiBaseUrl;
        });
        services.AddHeyGenVideoService(o => o.EndOfUtteranceTimeout = TimeSpan.FromMilliseconds(500));
        await using ServiceProvider provider = services.BuildServiceProvider();

        HeyGenVideoServiceFactory factory = provider.GetRequiredService<HeyGenVideoServiceFactory>();
        HeyGenVideoService first = factory.Create();
        HeyGenVideoService second = factory.Create();

        first.Should().NotBeSameAs(second, "each pipeline gets its own service");
        var task = new PipelineTask(first);
        await task.QueueFrameAsync(new EndFrame());
        (await task.RunAsync().WaitAsync(AvatarHarness.Hang)).Should().Be(PipelineFinishReason.Ended);
        emulator.Sessions.StoppedCount.Should().Be(1);
        await second.DisposeAsync();
    }

    [Fact]
    public async Task A_second_StartFrame_is_refused_and_never_opens_a_second_billed_session()
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");

        await h.QueueAsync(new StartFrame());

        var failure = await FluentActions.Awaiting(h.FinishAsync).Should().ThrowAsync<PipelineException>();
        failure.Which.Error.Message.Should().StartWith(h.Service.Name).And.Contain("second StartFrame");
        h.Service.Name.Should().MatchRegex(@"^HeyGenVideoService#\d+$", "the default name carries the instance number");
        h.Emulator.Sessions.OpenedCount.Should().Be(1);
        h.Emulator.Sessions.Open.Should().BeEmpty();
        h.Task.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public void Options_without_a_media_connector_are_rejected_with_advice()
    {
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = "k" });
        FluentActions.Invoking(() => new HeyGenVideoService(api, null!, new HeyGenVideoServiceOptions()))
            .Should().Throw<ArgumentException>().WithMessage("*MediaConnector*LiveKit*emulator*");
    }

    private sealed class FailingConnector : IAvatarMediaConnector
    {
        public ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken) =>
            throw new AvatarMediaException("room refused the join");
    }
}
