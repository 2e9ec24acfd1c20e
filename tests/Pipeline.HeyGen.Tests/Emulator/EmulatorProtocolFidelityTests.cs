using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>Details where the emulator follows the real services: JWT session tokens, the SDK's REST task calls, and a
/// second stop per product.</summary>
public sealed class EmulatorProtocolFidelityTests : EmulatorTest
{
    // A fake clock, so the placeholder speech plays only as far as a test advances it.
    protected override HeyGenEmulatorOptions EmulatorOptions() => new() { TimeProvider = new FakeTimeProvider() };

    [Fact]
    public async Task A_LiveAvatar_session_token_is_a_JWT_whose_payload_carries_the_mode_and_ids()
    {
        var api = LiveAvatar();
        var token = await api.CreateSessionTokenAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1", Mode = LiveAvatarMode.Lite });

        var parts = token.SessionToken.Split('.');
        parts.Should().HaveCount(3);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        header.RootElement.GetProperty("alg").GetString().Should().Be("HS256");
        payload.RootElement.GetProperty("session_id").GetString().Should().Be(token.SessionId);
        var start = payload.RootElement.GetProperty("start_session_data");
        start.GetProperty("mode").GetString().Should().Be("LITE");
        start.GetProperty("avatar_id").GetString().Should().Be("a-1");
        Base64Url.DecodeFromChars(parts[2]).Should().HaveCount(32);
        await api.StopSessionAsync(token.SessionId, LiveAvatarStopReason.UserClosed);
    }

    [Fact]
    public async Task Streaming_task_makes_the_avatar_speak_placeholder_speech_as_long_as_the_text_says()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        using var http = StreamingHttp();

        var answer = await PostAsync(http, "streaming.task", new { session_id = session.SessionId, text = "Hello there", task_type = "repeat" });

        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("code").GetInt32().Should().Be(100);
        var data = body.RootElement.GetProperty("data");
        data.GetProperty("duration_ms").GetDouble().Should().Be(11 * 65);
        var taskId = data.GetProperty("task_id").GetString()!;
        var avatar = Emulator.FindAvatar(session.SessionId)!;
        avatar.Activity.Should().Be(AvatarActivity.Talking);

        (await PostAsync(http, "streaming.interrupt", new { session_id = session.SessionId })).StatusCode.Should().Be(HttpStatusCode.OK);
        avatar.Activity.Should().NotBe(AvatarActivity.Talking);
        (await PostAsync(http, "streaming.start_listening", new { session_id = session.SessionId })).StatusCode.Should().Be(HttpStatusCode.OK);
        avatar.Activity.Should().Be(AvatarActivity.Listening);
        (await PostAsync(http, "streaming.stop_listening", new { session_id = session.SessionId })).StatusCode.Should().Be(HttpStatusCode.OK);
        avatar.Activity.Should().Be(AvatarActivity.Idle);
        taskId.Should().NotBeNullOrEmpty();
        Emulator.Requests.WithUnknownFields.Should().BeEmpty();
        await api.CloseSessionAsync(session.SessionId);

        var late = await PostAsync(http, "streaming.task", new { session_id = session.SessionId, text = "late" });
        late.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await late.Content.ReadAsStringAsync()).Should().Contain("10005");
    }

    [Fact]
    public async Task Streaming_task_without_text_names_the_missing_field()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        using var http = StreamingHttp();

        var answer = await PostAsync(http, "streaming.task", new { session_id = session.SessionId });

        answer.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await answer.Content.ReadAsStringAsync()).Should().Contain("text");
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_second_stop_succeeds_on_the_streaming_API_and_is_refused_by_LiveAvatar()
    {
        var heygen = HeyGen();
        var streaming = await heygen.NewSessionAsync(new NewSessionRequest());
        await heygen.CloseSessionAsync(streaming.SessionId);
        await heygen.Invoking(a => a.CloseSessionAsync(streaming.SessionId)).Should().NotThrowAsync("assumed: a retried stop is harmless");

        var live = LiveAvatar();
        var session = await live.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" });
        await live.StopSessionAsync(session.SessionId, LiveAvatarStopReason.UserClosed);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-API-KEY", Emulator.LiveAvatarApiKey);
        var second = await http.PostAsJsonAsync(Emulator.LiveAvatarApiBaseUrl + "/sessions/stop", new { session_id = session.SessionId });

        second.StatusCode.Should().Be(HttpStatusCode.BadRequest, "assumed: LiveAvatar says the session has already ended");
        (await second.Content.ReadAsStringAsync()).Should().Contain("already ended");
    }

    private HttpClient StreamingHttp()
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Add("x-api-key", Emulator.ApiKey);
        return http;
    }

    private Task<HttpResponseMessage> PostAsync(HttpClient http, string call, object body) =>
        http.PostAsJsonAsync(Emulator.StreamingApiBaseUrl + "/" + call, body);
}
