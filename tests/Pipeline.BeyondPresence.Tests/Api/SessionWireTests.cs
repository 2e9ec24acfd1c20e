using System.Net;
using Pipeline.BeyondPresence.Tests.Infrastructure;

namespace Pipeline.BeyondPresence.Tests.Api;

/// <summary>What goes over the wire for a session, and what comes back.</summary>
public sealed class SessionWireTests : BeyTest
{
    [Fact]
    public async Task Create_posts_the_documented_request_byte_for_byte()
    {
        using BeyondPresenceApi api = Api();

        await api.CreateSessionAsync(Request("01234567-89ab-cdef-0123-456789abcdef"));

        RecordedRequest request = Server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/v1/session");
        request.Headers["x-api-key"].Should().Be(BeyondPresenceFake.ApiKey);
        request.Headers["content-type"].Should().Be("application/json; charset=utf-8");
        request.Headers["accept"].Should().Be("application/json");
        request.BodyText.Should().Be(
            "{\"avatar_id\":\"01234567-89ab-cdef-0123-456789abcdef\"," +
            "\"livekit_url\":\"wss://agents.example.livekit.cloud\"," +
            $"\"livekit_token\":\"{BeyondPresenceFake.WorkerToken}\"}}");
    }

    [Fact]
    public async Task Create_reads_the_201_answer_without_keeping_the_echoed_token()
    {
        using BeyondPresenceApi api = Api();

        BeyondPresenceSession session = await api.CreateSessionAsync(Request());

        session.Id.Should().Be("00000001-89ab-cdef-0123-456789abcdef");
        session.AvatarId.Should().Be(BeyondPresenceOptions.StockAvatarId);
        session.LiveKitUrl.Should().Be(LiveKitUrl.OriginalString);
        session.CreatedAt.Should().Be(BeyondPresenceFake.CreatedAt);
        session.ToString().Should().NotContain(BeyondPresenceFake.WorkerToken, "the echoed token is not part of the model");
        AllLogText().Should().NotContain(BeyondPresenceFake.WorkerToken).And.NotContain(BeyondPresenceFake.ApiKey);
    }

    [Fact]
    public async Task Get_reads_a_session_back_by_id()
    {
        using BeyondPresenceApi api = Api();
        BeyondPresenceSession created = await api.CreateSessionAsync(Request());

        BeyondPresenceSession read = await api.GetSessionAsync(created.Id);

        read.Should().Be(created);
        RecordedRequest get = Server.Requests[^1];
        get.Method.Should().Be("GET");
        get.Path.Should().Be($"/v1/session/{created.Id}");
        get.Headers["x-api-key"].Should().Be(BeyondPresenceFake.ApiKey);
        get.Body.Should().BeEmpty();
    }

    [Fact]
    public async Task A_base_url_with_a_path_keeps_it()
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(201, """{"id":"s1"}""");
        using BeyondPresenceApi api = Api(o => o.BaseUrl = new Uri(Server.BaseUrl, "/proxy/bey"));

        await api.CreateSessionAsync(Request());

        Server.Requests.Single().Path.Should().Be("/proxy/bey/v1/session");
    }

    [Fact]
    public async Task A_2xx_answer_without_an_id_fails_clearly_without_quoting_the_body()
    {
        Server.Enqueue(new ScriptedAnswer(201, $$"""{"livekit_token":"{{BeyondPresenceFake.WorkerToken}}"}"""));
        using BeyondPresenceApi api = Api();

        var failure = await FluentActions.Awaiting(() => api.CreateSessionAsync(Request())).Should().ThrowAsync<LiveKit.AvatarWorkers.AvatarWorkerDispatchException>();

        failure.Which.Message.Should().Contain("not the documented shape").And.Contain("id");
        failure.Which.Message.Should().NotContain(BeyondPresenceFake.WorkerToken);
        failure.Which.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task An_incomplete_request_is_refused_before_anything_is_sent()
    {
        using BeyondPresenceApi api = Api();

        await FluentActions.Awaiting(() => api.CreateSessionAsync(new BeyondPresenceSessionRequest(" ", LiveKitUrl, "token-value")))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*avatar id is empty*");
        await FluentActions.Awaiting(() => api.CreateSessionAsync(new BeyondPresenceSessionRequest("a", new Uri("ftp://x"), "token-value")))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*LiveKit URL*");
        await FluentActions.Awaiting(() => api.CreateSessionAsync(new BeyondPresenceSessionRequest("a", LiveKitUrl, "")))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*LiveKit token is empty*");
        Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public void The_request_never_shows_its_token()
    {
        Request().ToString().Should().NotContain(BeyondPresenceFake.WorkerToken).And.Contain("token redacted").And.Contain("agents.example.livekit.cloud");
    }
}
