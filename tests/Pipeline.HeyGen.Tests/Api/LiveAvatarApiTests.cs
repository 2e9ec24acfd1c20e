using System.Text.Json;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>LiveAvatarApi on the wire: API key for the token, bearer session token for start, reasons on stop.</summary>
public sealed class LiveAvatarApiTests : EmulatorTest
{
    private const string AvatarId = "1c690fe7-23e0-49f9-bfba-14344450285b";

    [Fact]
    public async Task NewSession_creates_a_token_with_the_api_key_then_starts_with_the_bearer_session_token()
    {
        var api = LiveAvatar();

        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest
        {
            AvatarId = AvatarId,
            VideoSettings = new LiveAvatarVideoSettings { Encoding = VideoEncoding.H264, Quality = LiveAvatarVideoQuality.VeryHigh },
        });

        var token = Emulator.Requests.For(EmulatorEndpoint.LiveAvatarToken).Should().ContainSingle().Subject;
        token.Path.Should().Be("/v1/sessions/token");
        token.Header("X-API-KEY").Should().Be(Emulator.LiveAvatarApiKey);
        token.Header("Authorization").Should().BeNull();
        token.Body.Should().Be(
            $$"""{"mode":"LITE","avatar_id":"{{AvatarId}}","video_settings":{"encoding":"H264","quality":"very_high"},"is_sandbox":false}""");

        var emulated = Emulator.FindSession(session.SessionId)!;
        var start = Emulator.Requests.For(EmulatorEndpoint.LiveAvatarStart).Should().ContainSingle().Subject;
        start.Path.Should().Be("/v1/sessions/start");
        start.Header("Authorization").Should().Be($"Bearer {emulated.SessionToken}");
        start.Header("X-API-KEY").Should().BeNull("start is authenticated by the session token only");
        start.Body.Should().BeEmpty();

        emulated.State.Should().Be(EmulatedSessionState.Started);
        session.AccessToken.Should().Be(emulated.AccessToken);
        session.LiveKitAgentToken.Should().Be(emulated.AgentToken);
        session.LiveKitUrl.Should().Be($"wss://emulator.invalid/room/{session.SessionId}");
        session.WebSocketUrl.Should().Be(
            $"ws://127.0.0.1:{Emulator.Port}/v1/ws/liveavatar?session_id={session.SessionId}&session_token={emulated.RealtimeToken}");
        session.RawResponse.Should().BeOfType<LiveAvatarSessionData>().Which.MaxSessionDuration.Should().Be(1200);

        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task CloseSession_stops_with_the_api_key_and_the_configured_reason()
    {
        var api = LiveAvatar(o => o.CloseReason = LiveAvatarStopReason.AgentHangUp);
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId });

        await api.CloseSessionAsync(session.SessionId);

        var stop = Emulator.Requests.For(EmulatorEndpoint.LiveAvatarStop).Should().ContainSingle().Subject;
        stop.Path.Should().Be("/v1/sessions/stop");
        stop.Header("X-API-KEY").Should().Be(Emulator.LiveAvatarApiKey);
        stop.Body.Should().Be($$"""{"session_id":"{{session.SessionId}}","reason":"AGENT_HANG_UP"}""");
        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("AGENT_HANG_UP");
    }

    [Fact]
    public async Task StopSession_sends_the_given_reason()
    {
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId });

        await api.StopSessionAsync(session.SessionId, LiveAvatarStopReason.UserDisconnected);

        Emulator.FindSession(session.SessionId)!.StopReason.Should().Be("USER_DISCONNECTED");
    }

    [Fact]
    public async Task KeepAlive_posts_the_session_id_with_the_api_key()
    {
        var api = LiveAvatar();
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId });

        await api.KeepAliveAsync(session.SessionId);

        var keepAlive = Emulator.Requests.For(EmulatorEndpoint.LiveAvatarKeepAlive).Should().ContainSingle().Subject;
        keepAlive.Path.Should().Be("/v1/sessions/keep-alive");
        keepAlive.Header("X-API-KEY").Should().Be(Emulator.LiveAvatarApiKey);
        keepAlive.Body.Should().Be($$"""{"session_id":"{{session.SessionId}}"}""");
        Emulator.FindSession(session.SessionId)!.KeepAliveCount.Should().Be(1);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Token_and_start_can_be_called_separately()
    {
        var api = LiveAvatar();

        var token = await api.CreateSessionTokenAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId });
        Emulator.FindSession(token.SessionId)!.State.Should().Be(EmulatedSessionState.New);
        var started = await api.StartSessionAsync(token.SessionToken);

        started.SessionId.Should().Be(token.SessionId);
        token.SessionToken.Should().Be(Emulator.FindSession(token.SessionId)!.SessionToken);
        await api.StopSessionAsync(token.SessionId, LiveAvatarStopReason.UserClosed);
    }

    [Fact]
    public async Task A_custom_LiveKit_room_is_sent_and_the_null_room_fields_are_accepted()
    {
        var api = LiveAvatar();
        var request = new LiveAvatarNewSessionRequest
        {
            AvatarId = AvatarId,
            LiveKitConfig = new CustomLiveKitConfig { LiveKitUrl = "wss://my.livekit", LiveKitRoom = "room-1", LiveKitClientToken = "my-room-token-123456" },
            AvatarPersona = new AvatarPersona { VoiceId = "voice-1" },
        };

        var session = await api.NewSessionAsync(request);

        using (var body = Emulator.Requests.For(EmulatorEndpoint.LiveAvatarToken).Single().BodyJson())
        {
            var config = body.RootElement.GetProperty("livekit_config");
            config.GetProperty("livekit_url").GetString().Should().Be("wss://my.livekit");
            config.GetProperty("livekit_room").GetString().Should().Be("room-1");
            config.GetProperty("livekit_client_token").GetString().Should().Be("my-room-token-123456");
            body.RootElement.GetProperty("avatar_persona").GetRawText().Should().Be("""{"voice_id":"voice-1","language":"en"}""");
        }

        session.LiveKitUrl.Should().BeNull();
        session.AccessToken.Should().BeNull();
        session.LiveKitAgentToken.Should().NotBeNullOrEmpty();
        await api.CloseSessionAsync(session.SessionId);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    public async Task Both_documented_success_codes_are_accepted(int successCode)
    {
        var api = LiveAvatar();
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarKeepAlive,
            EmulatedFault.Status(200, $$"""{"code":{{successCode}},"data":null,"message":"success"}"""));
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId });

        await api.KeepAliveAsync(session.SessionId);

        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task An_unexpected_envelope_code_on_a_2xx_is_an_error()
    {
        var api = LiveAvatar();
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarToken,
            EmulatedFault.Status(200, """{"code":4001,"data":null,"message":"Insufficient credits"}"""));

        var ex = (await api.Invoking(a => a.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId }))
            .Should().ThrowAsync<HeyGenApiException>()).Which;

        ex.ErrorCode.Should().Be("4001");
        ex.Message.Should().Contain("Insufficient credits");
    }

    [Fact]
    public async Task A_wrong_api_key_is_a_401_and_no_session_is_created()
    {
        var api = LiveAvatar(o => o.ApiKey = "wrong-liveavatar-key");

        var ex = (await api.Invoking(a => a.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId }))
            .Should().ThrowAsync<HeyGenApiException>()).Which;

        ex.Status.Should().Be(401);
        ex.Message.Should().Contain("Invalid API key").And.NotContain("wrong-liveavatar-key");
        Emulator.Sessions.OpenedCount.Should().Be(0);
    }

    [Fact]
    public async Task Stopping_an_unknown_session_is_a_404()
    {
        var api = LiveAvatar();

        var ex = (await api.Invoking(a => a.CloseSessionAsync("00000000-0000-4000-8000-000000000000"))
            .Should().ThrowAsync<HeyGenApiException>()).Which;

        ex.Status.Should().Be(404);
        ex.Message.Should().Contain("Session not found");
    }

    [Fact]
    public async Task Sandbox_sessions_must_use_the_sandbox_avatar_and_last_a_minute()
    {
        var api = LiveAvatar();

        var wrong = (await api.Invoking(a => a.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId, IsSandbox = true }))
            .Should().ThrowAsync<HeyGenApiException>()).Which;
        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = LiveAvatarNewSessionRequest.SandboxAvatarId, IsSandbox = true });

        wrong.Status.Should().Be(400);
        ((LiveAvatarSessionData)session.RawResponse).MaxSessionDuration.Should().Be(60);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Start_and_stop_are_retried_but_token_creation_is_not()
    {
        var api = LiveAvatar();
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarStart, EmulatedFault.Status(503));
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarStop, EmulatedFault.DropConnection());

        var session = await api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId });
        await api.CloseSessionAsync(session.SessionId);
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarToken, EmulatedFault.Status(503));
        await api.Invoking(a => a.CreateSessionTokenAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId }))
            .Should().ThrowAsync<HeyGenApiException>();

        Emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarStart).Should().Be(2);
        Emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarStop).Should().Be(2);
        Emulator.Requests.CountFor(EmulatorEndpoint.LiveAvatarToken).Should().Be(2, "one successful and one failed creation, neither retried");
    }

    [Fact]
    public async Task A_start_response_missing_the_agent_token_fails_clearly_and_stops_the_session()
    {
        var api = LiveAvatar();
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarStart, EmulatedFault.Status(201,
            """{"code":1000,"message":"success","data":{"session_id":"x","livekit_url":null,"livekit_client_token":null,"ws_url":"ws://x"}}"""));

        var ex = (await api.Invoking(a => a.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId }))
            .Should().ThrowAsync<HeyGenApiException>()).Which;

        ex.Message.Should().Contain("livekit_agent_token");
        ex.Status.Should().Be(201, "the status is the one the server answered");
        Emulator.Sessions.Open.Should().BeEmpty();
    }

    [Fact]
    public async Task The_base_type_serves_both_providers()
    {
        BaseAvatarApi[] providers = [HeyGen(), LiveAvatar()];
        AvatarSessionRequest?[] requests = [null, new LiveAvatarNewSessionRequest { AvatarId = AvatarId }];

        for (var i = 0; i < providers.Length; i++)
        {
            var session = await providers[i].NewSessionAsync(requests[i]);
            providers[i].SupportsKeepAlive.Should().BeTrue();
            await providers[i].KeepAliveAsync(session.SessionId);
            await providers[i].CloseSessionAsync(session.SessionId);
        }

        Emulator.Sessions.All.Select(s => s.Product).Should().Equal(EmulatedProduct.InteractiveAvatar, EmulatedProduct.LiveAvatar);
        Emulator.Sessions.All.Should().OnlyContain(s => s.KeepAliveCount == 1 && !s.IsOpen);
    }

    [Fact]
    public async Task A_request_of_the_other_provider_is_rejected_before_anything_is_sent()
    {
        BaseAvatarApi heyGen = HeyGen();
        BaseAvatarApi liveAvatar = LiveAvatar();

        await heyGen.Invoking(a => a.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = AvatarId }))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*NewSessionRequest*");
        await liveAvatar.Invoking(a => a.NewSessionAsync(new NewSessionRequest()))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*LiveAvatarNewSessionRequest*");
        await liveAvatar.Invoking(a => a.NewSessionAsync(null))
            .Should().ThrowAsync<ArgumentNullException>();
        Emulator.Requests.All.Should().BeEmpty();
    }
}
