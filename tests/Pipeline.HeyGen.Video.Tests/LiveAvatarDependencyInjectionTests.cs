using Microsoft.Extensions.DependencyInjection;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>The recommended product needs no generic argument: AddLiveAvatarApi + AddHeyGenVideoService().</summary>
public sealed class LiveAvatarDependencyInjectionTests
{
    [Fact]
    public async Task AddLiveAvatarApi_and_AddHeyGenVideoService_run_a_LiveAvatar_session()
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        var services = new ServiceCollection();
        services.AddSingleton<IAvatarMediaConnector>(emulator.MediaConnector);
        services.AddLiveAvatarApi(o =>
        {
            o.ApiKey = emulator.LiveAvatarApiKey;
            o.BaseUrl = emulator.LiveAvatarApiBaseUrl;
        });
        services.AddHeyGenVideoService(o => o.SessionRequest = new LiveAvatarNewSessionRequest { AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId });
        await using ServiceProvider provider = services.BuildServiceProvider();

        provider.GetRequiredService<BaseAvatarApi>().Should().BeOfType<LiveAvatarApi>();
        HeyGenVideoService service = provider.GetRequiredService<HeyGenVideoServiceFactory>().Create();
        var task = new PipelineTask(service);
        await task.QueueFrameAsync(new EndFrame());
        (await task.RunAsync().WaitAsync(AvatarHarness.Hang)).Should().Be(PipelineFinishReason.Ended);

        emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarToken).Should().Be(1);
        emulator.Requests.CountFor(EmulatorEndpoint.StreamingNew).Should().Be(0);
        emulator.Sessions.StoppedCount.Should().Be(1);
    }

    [Fact]
    public async Task With_both_products_registered_the_service_asks_which_one_to_use()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IAvatarMediaConnector>(new ThrowingConnector());
        services.AddHeyGenApi(o => o.ApiKey = "interactive-key");
        services.AddLiveAvatarApi(o => o.ApiKey = "liveavatar-key");
        services.AddHeyGenVideoService();
        await using ServiceProvider provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<HeyGenVideoServiceFactory>())
            .Should().Throw<InvalidOperationException>()
            .WithMessage("*HeyGenApi*LiveAvatarApi*AddHeyGenVideoService<LiveAvatarApi>()*")
            .Which.Message.Should().NotContain("key");
    }

    [Fact]
    public async Task Without_an_api_the_service_says_to_register_LiveAvatar_first()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IAvatarMediaConnector>(new ThrowingConnector());
        services.AddHeyGenVideoService();
        await using ServiceProvider provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<HeyGenVideoServiceFactory>())
            .Should().Throw<InvalidOperationException>().WithMessage("*AddLiveAvatarApi (recommended) or AddHeyGenApi*");
    }

    private sealed class ThrowingConnector : IAvatarMediaConnector
    {
        public ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not used");
    }
}
