using Microsoft.Extensions.DependencyInjection;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>
/// Direct-room mode's set-up: what it refuses before a billed session, how it is built without a media connector
/// (by hand and with DI), a session that hands out no way into its room, and the emulator's <c>livekit_config</c> checks.
/// </summary>
public sealed class DirectRoomSetupTests
{
    private const string UsersRoom = "support-42";
    private const string UsersServer = "wss://rooms.example.test";
    private const string AvatarToken = "avatar-token-for-the-users-room-0123456789";

    [Fact]
    public async Task Without_a_connector_the_service_runs_in_direct_room_mode_only()
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        FluentActions.Invoking(() => new HeyGenVideoService(api, new HeyGenVideoServiceOptions()))
            .Should().Throw<ArgumentException>().WithMessage("*DirectRoom*IAvatarMediaConnector*");

        var service = new HeyGenVideoService(api, new HeyGenVideoServiceOptions { MediaMode = AvatarMediaMode.DirectRoom });
        var task = new PipelineTask(service);
        await task.QueueFrameAsync(new EndFrame());
        (await task.RunAsync().WaitAsync(AvatarHarness.Hang)).Should().Be(PipelineFinishReason.Ended);
        emulator.Sessions.StoppedCount.Should().Be(1);
        service.RoomAccess!.ClientToken.Should().Be(emulator.Sessions.All.Single().AccessToken);
    }

    [Fact]
    public async Task A_session_that_hands_out_no_client_token_fails_its_start_and_is_closed_once()
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        using var inner = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        using var api = new NoClientTokenApi(inner);
        await using var run = new PipelineHarness(new HeyGenVideoService(api, new HeyGenVideoServiceOptions { MediaMode = AvatarMediaMode.DirectRoom }));
        run.Start();

        PipelineFinish finish = await run.FinishAsync();

        finish.FatalError.Should().NotBeNull();
        finish.FatalError!.Message.Should().Contain("hand out the avatar's room").And.Contain("access_token");
        emulator.Sessions.Open.Should().BeEmpty();
        emulator.Requests.CountFor(EmulatorEndpoint.StreamingStop).Should().Be(1);
        finish.RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Dependency_injection_needs_no_media_connector_in_direct_room_mode()
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        var services = new ServiceCollection();
        services.AddHeyGenApi(o =>
        {
            o.ApiKey = emulator.ApiKey;
            o.BaseUrl = emulator.StreamingApiBaseUrl;
        });
        services.AddHeyGenVideoService(o => o.MediaMode = AvatarMediaMode.DirectRoom);
        await using ServiceProvider provider = services.BuildServiceProvider();

        HeyGenVideoService service = provider.GetRequiredService<HeyGenVideoServiceFactory>().Create();

        var task = new PipelineTask(service);
        await task.QueueFrameAsync(new EndFrame());
        (await task.RunAsync().WaitAsync(AvatarHarness.Hang)).Should().Be(PipelineFinishReason.Ended);
        service.RoomAccess.Should().NotBeNull();
        emulator.Sessions.StoppedCount.Should().Be(1);
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_before_any_billed_session()
    {
        using var api = new LiveAvatarApi(new LiveAvatarApiOptions { ApiKey = "k" });
        HeyGenVideoServiceOptions Direct(CustomLiveKitConfig config, LiveAvatarMode mode = LiveAvatarMode.Lite, string? roomToken = null) => new()
        {
            MediaMode = AvatarMediaMode.DirectRoom,
            RoomToken = roomToken,
            SessionRequest = new LiveAvatarNewSessionRequest { AvatarId = "a", Mode = mode, LiveKitConfig = config },
        };
        var good = new CustomLiveKitConfig { LiveKitUrl = UsersServer, LiveKitRoom = UsersRoom, LiveKitClientToken = AvatarToken };

        FluentActions.Invoking(() => new HeyGenVideoService(api, Direct(good, LiveAvatarMode.Full)))
            .Should().Throw<ArgumentException>().WithMessage("livekit_config applies to LITE*FULL*");
        FluentActions.Invoking(() => new HeyGenVideoService(api, Direct(good with { LiveKitClientToken = " " })))
            .Should().Throw<ArgumentException>().WithMessage("*livekit_client_token*");
        FluentActions.Invoking(() => new HeyGenVideoService(api, Direct(good with { LiveKitUrl = "rooms.example.test" })))
            .Should().Throw<ArgumentException>().WithMessage("*livekit_url*wss://*");
        FluentActions.Invoking(() => new HeyGenVideoService(api, Direct(good, roomToken: "bot-token")))
            .Should().Throw<ArgumentException>().WithMessage("*RoomToken*does not join*");
        FluentActions.Invoking(() => new HeyGenVideoService(api, new ForbiddenConnector(), new HeyGenVideoServiceOptions
        {
            SessionRequest = new LiveAvatarNewSessionRequest { AvatarId = "a", LiveKitConfig = good },
        })).Should().Throw<ArgumentException>().WithMessage("*RoomToken*DirectRoom*");
    }

    [Fact]
    public async Task The_emulator_validates_livekit_config_like_the_service_schema()
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        async Task<(int Status, string Body)> TokenAsync(string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/sessions/token") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("X-API-KEY", emulator.LiveAvatarApiKey);
            using HttpResponseMessage response = await http.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        string avatar = LiveAvatarNewSessionRequest.SandboxAvatarId;
        (int status, string body) = await TokenAsync($$$"""{"mode":"LITE","avatar_id":"{{{avatar}}}","is_sandbox":true,"livekit_config":{"livekit_url":"wss://x","livekit_room":"r"}}""");
        status.Should().Be(422);
        body.Should().Contain("\"livekit_config\"").And.Contain("\"livekit_client_token\"").And.Contain("Field required");
        (status, _) = await TokenAsync($$"""{"mode":"LITE","avatar_id":"{{avatar}}","is_sandbox":true,"livekit_config":"wss://x"}""");
        status.Should().Be(422);
        emulator.Sessions.All.Should().BeEmpty();

        (status, _) = await TokenAsync($$$"""{"mode":"FULL","avatar_id":"{{{avatar}}}","is_sandbox":true,"livekit_config":{"livekit_url":"wss://x","livekit_room":"r","livekit_client_token":"avatar-secret-123456"}}""");
        status.Should().Be(200);
        EmulatedSession full = emulator.Sessions.All.Should().ContainSingle().Subject;
        full.LiveKitRoom.Should().BeNull("FULL mode ignores livekit_config: the avatar goes to LiveAvatar's room");
        full.LiveKitUrl.Should().NotBeNull();
        emulator.Secrets.Should().Contain("avatar-secret-123456", "the caller's avatar token is a secret the leak checks look for");
    }

    /// <summary>A provider whose session answer lacks the user's token (HeyGen's field missing or renamed).</summary>
    private sealed class NoClientTokenApi(BaseAvatarApi inner) : BaseAvatarApi
    {
        public override async Task<StandardSessionResponse> NewSessionAsync(AvatarSessionRequest? request, CancellationToken cancellationToken = default) =>
            await inner.NewSessionAsync(request, cancellationToken) with { AccessToken = null };

        public override Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
            inner.CloseSessionAsync(sessionId, cancellationToken);
    }
}
