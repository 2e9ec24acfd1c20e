using System.Text.Json;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>What HeyGenApi puts on the wire for each streaming endpoint, and how it reads the answers.</summary>
public sealed class HeyGenApiWireTests : EmulatorTest
{
    [Fact]
    public async Task NewSession_posts_streaming_new_with_the_api_key_and_the_request_as_snake_case_json()
    {
        var api = HeyGen();
        var request = new NewSessionRequest
        {
            Quality = AvatarQuality.Medium,
            AvatarId = "Shawn_Therapist_public",
            Voice = new VoiceSettings { VoiceId = "v-1", Rate = 1.2, Emotion = VoiceEmotion.Soothing },
            VideoEncoding = VideoEncoding.H264,
            KnowledgeBaseId = "kb-7",
            ActivityIdleTimeout = 300,
        };

        var session = await api.NewSessionAsync(request);

        var wire = Emulator.Requests.For(EmulatorEndpoint.StreamingNew).Should().ContainSingle().Subject;
        wire.Method.Should().Be("POST");
        wire.Path.Should().Be("/v1/streaming.new");
        wire.Header("x-api-key").Should().Be(Emulator.ApiKey);
        wire.Header("Content-Type").Should().Be("application/json; charset=utf-8");
        wire.Header("Accept").Should().Be("application/json");
        using (var body = wire.BodyJson())
        {
            var root = body.RootElement;
            root.GetProperty("quality").GetString().Should().Be("medium");
            root.GetProperty("avatar_id").GetString().Should().Be("Shawn_Therapist_public");
            root.GetProperty("voice").GetProperty("voice_id").GetString().Should().Be("v-1");
            root.GetProperty("voice").GetProperty("rate").GetDouble().Should().Be(1.2);
            root.GetProperty("voice").GetProperty("emotion").GetString().Should().Be("soothing");
            root.GetProperty("video_encoding").GetString().Should().Be("H264");
            root.GetProperty("knowledge_base_id").GetString().Should().Be("kb-7");
            root.GetProperty("version").GetString().Should().Be("v2");
            root.GetProperty("activity_idle_timeout").GetInt32().Should().Be(300);
            root.TryGetProperty("knowledge_id", out _).Should().BeFalse("the documented name is knowledge_base_id");
            root.TryGetProperty("disable_idle_timeout", out _).Should().BeFalse("unset fields are not sent");
        }

        var emulated = Emulator.FindSession(session.SessionId)!;
        session.AccessToken.Should().Be(emulated.AccessToken);
        session.LiveKitAgentToken.Should().Be(emulated.AgentToken);
        session.LiveKitUrl.Should().Be($"wss://emulator.invalid/room/{session.SessionId}");
        session.WebSocketUrl.Should().Be(
            $"ws://127.0.0.1:{Emulator.Port}/v1/ws/streaming.chat?session_id={session.SessionId}&session_token={emulated.RealtimeToken}");
        var raw = session.RawResponse.Should().BeOfType<HeyGenSession>().Subject;
        raw.SessionDurationLimit.Should().Be(600);
        raw.IsPaid.Should().BeFalse();
        raw.RealtimeEndpoint.Should().Be(session.WebSocketUrl);

        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task NewSession_starts_the_session_it_created_with_streaming_start()
    {
        var api = HeyGen();

        var session = await api.NewSessionAsync(new NewSessionRequest());

        var start = Emulator.Requests.For(EmulatorEndpoint.StreamingStart).Should().ContainSingle().Subject;
        start.Path.Should().Be("/v1/streaming.start");
        start.Header("x-api-key").Should().Be(Emulator.ApiKey);
        JsonDocument.Parse(start.Body).RootElement.GetProperty("session_id").GetString().Should().Be(session.SessionId);
        Emulator.FindSession(session.SessionId)!.State.Should().Be(EmulatedSessionState.Started);
        Emulator.Requests.All.Select(r => r.Endpoint).Should().Equal(EmulatorEndpoint.StreamingNew, EmulatorEndpoint.StreamingStart);

        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task NewSession_with_no_request_sends_only_the_version()
    {
        var api = HeyGen();

        var typed = await api.NewSessionAsync(null);
        var viaBase = await ((BaseAvatarApi)api).NewSessionAsync(null);

        Emulator.Requests.For(EmulatorEndpoint.StreamingNew).Should().OnlyContain(r => r.Body == """{"version":"v2"}""").And.HaveCount(2);
        await api.CloseSessionAsync(typed.SessionId);
        await api.CloseSessionAsync(viaBase.SessionId);
    }

    [Fact]
    public async Task CloseSession_posts_streaming_stop_and_the_ledger_records_the_stop()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());

        await api.CloseSessionAsync(session.SessionId);

        var stop = Emulator.Requests.For(EmulatorEndpoint.StreamingStop).Should().ContainSingle().Subject;
        stop.Path.Should().Be("/v1/streaming.stop");
        stop.Header("x-api-key").Should().Be(Emulator.ApiKey);
        stop.Body.Should().Be($$"""{"session_id":"{{session.SessionId}}"}""");
        Emulator.Sessions.OpenedCount.Should().Be(1);
        Emulator.Sessions.StartedCount.Should().Be(1);
        Emulator.Sessions.StoppedCount.Should().Be(1);
    }

    [Fact]
    public async Task KeepAlive_posts_streaming_keep_alive_for_the_session()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());

        api.SupportsKeepAlive.Should().BeTrue();
        await api.KeepAliveAsync(session.SessionId);
        await api.KeepAliveAsync(session.SessionId);

        var requests = Emulator.Requests.For(EmulatorEndpoint.StreamingKeepAlive);
        requests.Should().HaveCount(2);
        requests[0].Path.Should().Be("/v1/streaming.keep_alive");
        requests[0].Body.Should().Be($$"""{"session_id":"{{session.SessionId}}"}""");
        Emulator.FindSession(session.SessionId)!.KeepAliveCount.Should().Be(2);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task CreateToken_posts_create_token_and_returns_a_token_the_service_accepts_as_bearer()
    {
        var api = HeyGen();

        var token = await api.CreateTokenAsync();

        var wire = Emulator.Requests.For(EmulatorEndpoint.StreamingCreateToken).Should().ContainSingle().Subject;
        wire.Path.Should().Be("/v1/streaming.create_token");
        wire.Header("x-api-key").Should().Be(Emulator.ApiKey);
        token.Should().NotBeNullOrWhiteSpace();
        Emulator.Secrets.Should().Contain(token);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Emulator.BaseAddress, "v1/streaming.list"));
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task ListSessions_gets_streaming_list_and_reads_ids_statuses_and_creation_times()
    {
        var api = HeyGen();
        var first = await api.NewSessionAsync(new NewSessionRequest());
        var second = await api.NewSessionAsync(new NewSessionRequest());
        await api.CloseSessionAsync(second.SessionId);

        var sessions = await api.ListSessionsAsync();

        var wire = Emulator.Requests.For(EmulatorEndpoint.StreamingList).Should().ContainSingle().Subject;
        wire.Method.Should().Be("GET");
        wire.Path.Should().Be("/v1/streaming.list");
        wire.Header("x-api-key").Should().Be(Emulator.ApiKey);
        wire.Body.Should().BeEmpty();
        var listed = sessions.Should().ContainSingle().Subject;
        listed.SessionId.Should().Be(first.SessionId);
        listed.Status.Should().Be("connected");
        listed.CreatedAtTime.Should().Be(DateTimeOffset.FromUnixTimeSeconds(Emulator.FindSession(first.SessionId)!.CreatedAt.ToUnixTimeSeconds()));

        await api.CloseSessionAsync(first.SessionId);
    }

    [Fact]
    public async Task CloseLeakedSessions_stops_every_listed_session_old_enough()
    {
        var api = HeyGen();

        // A "crashed process": sessions created and never closed.
        var leaked = new[] { await api.NewSessionAsync(new NewSessionRequest()), await api.NewSessionAsync(new NewSessionRequest()) };

        var closed = await api.CloseLeakedSessionsAsync(TimeSpan.Zero);

        closed.Should().BeEquivalentTo(leaked.Select(s => s.SessionId));
        Emulator.Sessions.Open.Should().BeEmpty();
    }

    [Fact]
    public async Task CloseLeakedSessions_leaves_sessions_younger_than_the_minimum_age()
    {
        var api = HeyGen();
        var young = await api.NewSessionAsync(new NewSessionRequest());

        var closed = await api.CloseLeakedSessionsAsync(TimeSpan.FromHours(1));

        closed.Should().BeEmpty();
        Emulator.FindSession(young.SessionId)!.IsOpen.Should().BeTrue();
        await api.CloseSessionAsync(young.SessionId);
    }

    [Fact]
    public async Task A_client_built_on_a_caller_owned_HttpClient_works_and_leaves_it_usable()
    {
        using var http = new HttpClient();
        var api = HeyGen(http: http);

        var session = await api.NewSessionAsync(new NewSessionRequest());
        await api.CloseSessionAsync(session.SessionId);
        api.Dispose();

        using var response = await http.GetAsync(new Uri(Emulator.BaseAddress, "v1/streaming.list"));
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized, "the HttpClient still works after the api is disposed");
    }
}
