using System.Net;
using Pipeline.LiveKit.AvatarWorkers;
using Pipeline.Tavus.Tests.Infrastructure;

namespace Pipeline.Tavus.Tests.Api;

/// <summary>Failures say what to do; a create is never repeated when Tavus may have acted; an end is retried.</summary>
public sealed class ErrorTests : TavusTest
{
    [Fact]
    public async Task A_refused_key_says_to_check_TAVUS_API_KEY()
    {
        using TavusApi api = Api(o => o.ApiKey = "tvs-some-other-key-0000000");

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        failure.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        failure.Message.Should().Contain("check TAVUS_API_KEY (TavusOptions.ApiKey)").And.Contain("Tavus said: \"Invalid access token\"")
            .And.NotContain("tvs-some-other-key-0000000");
        Server.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_refused_conversation_says_to_check_the_persona_replica_and_livekit_url()
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(400, """{"message":"Invalid replica_id"}""");
        using TavusApi api = Api();

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        failure.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        failure.Message.Should().Contain("Check the persona id 'p-echo-livekit' (TavusOptions.PersonaId: pipeline_mode 'echo' and a 'livekit' transport layer)")
            .And.Contain("replica id 'r-anna'").And.Contain("wss://agents.example.livekit.cloud").And.Contain("Tavus said: \"Invalid replica_id\"");
        Server.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_5xx_on_create_is_not_repeated_and_names_the_conversation_that_may_exist()
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(502);
        using TavusApi api = Api();

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        Server.Requests.Should().HaveCount(1, "Tavus may have created the conversation; a repeat could open a second billed one");
        failure.IsTransient.Should().BeTrue();
        failure.Message.Should().Contain("A conversation named 'pipeline-room-1' may have been created");
    }

    [Fact]
    public async Task A_429_on_create_is_retried()
    {
        Server.Enqueue(new ScriptedAnswer(429), new ScriptedAnswer(429));
        using TavusApi api = Api();

        TavusConversation conversation = await api.CreateConversationAsync(Request());

        conversation.ConversationId.Should().Be("c000001");
        Server.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_create_that_cannot_connect_is_retried_then_reported()
    {
        Uri gone = new(Server.BaseUrl, "/v2");
        await Server.DisposeAsync();
        using var api = new TavusApi(new TavusOptions
        {
            ApiKey = TavusFake.ApiKey, PersonaId = "p", BaseUrl = gone, RetryBaseDelay = TimeSpan.Zero, MaxRetryAttempts = 2,
        });

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        failure.StatusCode.Should().BeNull();
        failure.Message.Should().Contain("connection failed").And.Contain("after 3 attempts").And.Contain("TavusOptions.BaseUrl");
        Server = await ProviderTestServer.StartAsync();
    }

    [Fact]
    public async Task An_unanswered_create_is_not_repeated()
    {
        var time = new TimerObservingTimeProvider();
        Server.DefaultAnswer = _ => new ScriptedAnswer(0, Hang: true);
        using TavusApi api = Api(o => o.RequestTimeout = TimeSpan.FromSeconds(5), time);

        Task<TavusConversation> create = api.CreateConversationAsync(Request());
        await Server.NextRequestAsync();
        (await time.AdvanceToNextTimerAsync()).Should().Be(TimeSpan.FromSeconds(5));

        var failure = await FluentActions.Awaiting(() => create.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<AvatarWorkerDispatchException>();
        failure.Which.Message.Should().Contain("no answer within 5 s").And.Contain("may have been created");
        Server.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task An_end_is_retried_through_transient_failures()
    {
        using TavusApi api = Api();
        TavusConversation conversation = await api.CreateConversationAsync(Request());
        Server.Enqueue(new ScriptedAnswer(503), new ScriptedAnswer(500));

        bool ended = await api.EndConversationAsync(conversation.ConversationId);

        ended.Should().BeTrue();
        Server.Requests.Should().HaveCount(4);
        Tavus.Ends[conversation.ConversationId].Should().Be(1);
    }

    [Fact]
    public async Task An_end_that_keeps_failing_says_the_conversation_may_still_be_billed()
    {
        using TavusApi api = Api(o => o.MaxRetryAttempts = 2);
        TavusConversation conversation = await api.CreateConversationAsync(Request());
        Server.DefaultAnswer = _ => new ScriptedAnswer(503);

        var failure = await FluentActions.Awaiting(() => api.EndConversationAsync(conversation.ConversationId)).Should().ThrowAsync<AvatarWorkerDispatchException>();

        failure.Which.Message.Should().Contain("after 3 attempts").And.Contain("Conversation 'c000001' may still be billed");
    }

    [Fact]
    public async Task Echoed_secrets_never_reach_messages_or_logs()
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(400,
            $$$"""{"message":"bad token {{{TavusFake.WorkerToken}}} for key {{{TavusFake.ApiKey}}}","properties":{"livekit_room_token":"{{{TavusFake.WorkerToken}}}"}}""");
        using TavusApi api = Api();

        AvatarWorkerDispatchException failure = await CreateFailsAsync(api);

        failure.Message.Should().Contain("bad token *** for key ***");
        failure.ToString().Should().NotContain(TavusFake.WorkerToken).And.NotContain(TavusFake.ApiKey);
        AllLogText().Should().NotContain(TavusFake.WorkerToken).And.NotContain(TavusFake.ApiKey);
    }

    private static async Task<AvatarWorkerDispatchException> CreateFailsAsync(TavusApi api)
    {
        var failure = await FluentActions.Awaiting(() => api.CreateConversationAsync(Request())).Should().ThrowAsync<AvatarWorkerDispatchException>();
        return failure.Which;
    }
}
