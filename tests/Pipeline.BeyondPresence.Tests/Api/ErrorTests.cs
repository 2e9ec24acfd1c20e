using System.Net;
using Pipeline.BeyondPresence.Tests.Infrastructure;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.BeyondPresence.Tests.Api;

/// <summary>Each class of failure says what to do, is retried only when transient, and never carries a secret.</summary>
public sealed class ErrorTests : BeyTest
{
    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task A_refused_key_says_to_check_BEY_API_KEY_and_is_not_retried(int status)
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(status, """{"detail":"Invalid API Key"}""");
        using BeyondPresenceApi api = Api();

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        failure.StatusCode.Should().Be((HttpStatusCode)status);
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().StartWith($"Beyond Presence create session failed: HTTP {status} (")
            .And.Contain("check BEY_API_KEY (BeyondPresenceOptions.ApiKey)")
            .And.EndWith("Beyond Presence said: \"Invalid API Key\"");
        Server.Requests.Should().HaveCount(1, "a 4xx is never retried");
    }

    [Fact]
    public async Task A_wrong_key_is_refused_by_the_provider_itself()
    {
        using BeyondPresenceApi api = Api(o => o.ApiKey = "bey-sk-some-other-key-000000");

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        failure.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        failure.Message.Should().NotContain("bey-sk-some-other-key-000000");
    }

    [Theory]
    [InlineData(404, """{"detail":"Avatar not found"}""", "Avatar not found")]
    [InlineData(422, """{"detail":[{"loc":["body","livekit_url"],"msg":"invalid or missing URL scheme","type":"url_scheme"}]}""", "livekit_url: invalid or missing URL scheme")]
    public async Task A_rejected_session_says_to_check_the_avatar_id_and_the_livekit_url(int status, string body, string providerText)
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(status, body);
        using BeyondPresenceApi api = Api();

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api, "my-avatar");

        failure.StatusCode.Should().Be((HttpStatusCode)status);
        failure.IsTransient.Should().BeFalse();
        failure.Message.Should().Contain("Check the avatar id 'my-avatar' (BeyondPresenceOptions.AvatarId) and LiveKit URL wss://agents.example.livekit.cloud")
            .And.Contain($"Beyond Presence said: \"{providerText}\"");
        Server.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task An_unknown_session_id_says_so()
    {
        using BeyondPresenceApi api = Api();

        var failure = await FluentActions.Awaiting(() => api.GetSessionAsync("no-such-session")).Should().ThrowAsync<AvatarWorkerDispatchException>();

        failure.Which.StatusCode.Should().Be(HttpStatusCode.NotFound);
        failure.Which.Message.Should().Contain("has no session id 'no-such-session'").And.Contain("Session not found");
    }

    [Fact]
    public async Task A_transient_failure_is_retried_and_then_succeeds()
    {
        Server.Enqueue(new ScriptedAnswer(503, "busy"), new ScriptedAnswer(429), new ScriptedAnswer(502));
        using BeyondPresenceApi api = Api();

        BeyondPresenceSession session = await api.CreateSessionAsync(Request());

        session.Id.Should().NotBeNullOrEmpty();
        Server.Requests.Should().HaveCount(4);
        Server.Requests.Select(r => r.BodyText).Distinct().Should().ContainSingle("every attempt sends the same request");
        AllLogText().Should().Contain("attempt 1 failed (HTTP 503); retrying").And.Contain("attempt 3 failed (HTTP 502); retrying");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task A_persistent_transient_failure_gives_up_after_the_configured_retries(int status)
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(status, """{"detail":"upstream overloaded"}""");
        using BeyondPresenceApi api = Api(o => o.MaxRetryAttempts = 2);

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        Server.Requests.Should().HaveCount(3);
        failure.IsTransient.Should().BeTrue();
        failure.StatusCode.Should().Be((HttpStatusCode)status);
        failure.Message.Should().Contain($"HTTP {status}").And.Contain("after 3 attempts").And.Contain("try again later").And.Contain("upstream overloaded");
    }

    [Fact]
    public async Task Zero_retries_sends_once()
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(503);
        using BeyondPresenceApi api = Api(o => o.MaxRetryAttempts = 0);

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        Server.Requests.Should().HaveCount(1);
        failure.Message.Should().NotContain("attempts");
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_longest_retry_delay_is_reported_instead_of_waited_for()
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "3600" });
        using BeyondPresenceApi api = Api();

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        Server.Requests.Should().HaveCount(1);
        failure.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        failure.Message.Should().Contain("rate limiting");
    }

    [Fact]
    public async Task No_answer_at_all_is_transient_and_names_the_base_url()
    {
        // A port nothing listens on: the stand-in stopped, its port refused.
        Uri gone = Server.BaseUrl;
        await Server.DisposeAsync();
        using BeyondPresenceApi api = new(new BeyondPresenceOptions { ApiKey = BeyondPresenceFake.ApiKey, BaseUrl = gone, RetryBaseDelay = TimeSpan.Zero, MaxRetryAttempts = 1 },
            LoggerFactory());

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        failure.StatusCode.Should().BeNull();
        failure.IsTransient.Should().BeTrue();
        failure.InnerException.Should().BeOfType<HttpRequestException>();
        failure.Message.Should().StartWith("Beyond Presence create session failed: connection failed")
            .And.Contain("after 2 attempts").And.Contain($"BeyondPresenceOptions.BaseUrl ({gone.GetLeftPart(UriPartial.Authority)})");
        Server = await ProviderTestServer.StartAsync();
    }

    [Fact]
    public async Task An_echoing_error_body_never_leaks_the_key_or_the_token()
    {
        string echo = $$"""{"detail":"bad request from key {{BeyondPresenceFake.ApiKey}} with token {{BeyondPresenceFake.WorkerToken}}","livekit_token":"{{BeyondPresenceFake.WorkerToken}}"}""";
        Server.DefaultAnswer = _ => new ScriptedAnswer(422, echo);
        using BeyondPresenceApi api = Api();

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        failure.Message.Should().Contain("bad request from key *** with token ***");
        failure.ToString().Should().NotContain(BeyondPresenceFake.ApiKey).And.NotContain(BeyondPresenceFake.WorkerToken);
        AllLogText().Should().NotContain(BeyondPresenceFake.ApiKey).And.NotContain(BeyondPresenceFake.WorkerToken);
    }

    [Fact]
    public async Task A_partial_echo_of_the_key_and_an_unknown_jwt_are_masked_too()
    {
        string someoneElsesJwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvdGhlciJ9.b3RoZXItc2lnbmF0dXJl";
        Server.DefaultAnswer = _ => new ScriptedAnswer(400, $"key {BeyondPresenceFake.ApiKey[..16]}… is not valid for {someoneElsesJwt}");
        using BeyondPresenceApi api = Api();

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        failure.Message.Should().Contain("key ***… is not valid for ***");
        failure.Message.Should().NotContain(BeyondPresenceFake.ApiKey[..12]).And.NotContain(someoneElsesJwt);
    }

    private static async Task<AvatarWorkerDispatchException> CreateFailsAsync(BeyondPresenceApi api, string avatarId = BeyondPresenceOptions.StockAvatarId)
    {
        var failure = await FluentActions.Awaiting(() => api.CreateSessionAsync(Request(avatarId))).Should().ThrowAsync<AvatarWorkerDispatchException>();
        return failure.Which;
    }
}
