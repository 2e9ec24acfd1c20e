using Pipeline.BeyondPresence.Tests.Infrastructure;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.BeyondPresence.Tests.Dispatch;

/// <summary>The dispatcher sends Beyond Presence's worker where the LiveKit avatar-worker session asks.</summary>
public sealed class DispatcherTests : BeyTest
{
    private static AvatarWorkerDispatchRequest DispatchRequest(string workerIdentity = BeyondPresenceOptions.DefaultWorkerIdentity) =>
        new(LiveKitUrl, "room-1", workerIdentity, "agent-1", BeyondPresenceFake.WorkerToken);

    [Fact]
    public async Task Dispatch_creates_a_session_with_the_configured_avatar_and_the_requested_room()
    {
        BeyondPresenceOptions options = Options(o => o.AvatarId = "avatar-42");
        using var api = new BeyondPresenceApi(options, LoggerFactory());
        var dispatcher = new BeyondPresenceDispatcher(api, options);

        AvatarWorkerDispatch dispatch = await dispatcher.DispatchAsync(DispatchRequest(), CancellationToken.None);

        dispatch.Should().Be(new AvatarWorkerDispatch("Beyond Presence", "00000001-89ab-cdef-0123-456789abcdef"));
        RecordedRequest sent = Server.Requests.Should().ContainSingle().Subject;
        sent.BodyText.Should().Be(
            $"{{\"avatar_id\":\"avatar-42\",\"livekit_url\":\"wss://agents.example.livekit.cloud\",\"livekit_token\":\"{BeyondPresenceFake.WorkerToken}\"}}");
        (await api.GetSessionAsync(dispatch.SessionId)).AvatarId.Should().Be("avatar-42");
    }

    [Fact]
    public void The_dispatcher_names_its_provider_and_worker_identity()
    {
        BeyondPresenceOptions options = Options(o => o.WorkerIdentity = "bey-worker-7");
        using var api = new BeyondPresenceApi(options);
        var dispatcher = new BeyondPresenceDispatcher(api, options);

        dispatcher.Provider.Should().Be("Beyond Presence");
        dispatcher.WorkerIdentity.Should().Be("bey-worker-7");
        new BeyondPresenceDispatcher(api, Options()).WorkerIdentity.Should().Be("bey-avatar-agent", "LiveKit's plugin's default");
    }

    [Fact]
    public async Task A_request_for_another_worker_identity_is_refused_before_anything_is_sent()
    {
        BeyondPresenceOptions options = Options();
        using var api = new BeyondPresenceApi(options);
        var dispatcher = new BeyondPresenceDispatcher(api, options);

        var failure = await FluentActions.Awaiting(() => dispatcher.DispatchAsync(DispatchRequest("someone-else"), CancellationToken.None).AsTask())
            .Should().ThrowAsync<ArgumentException>();

        failure.Which.Message.Should().Contain("'someone-else'").And.Contain("'bey-avatar-agent'").And.NotContain(BeyondPresenceFake.WorkerToken);
        Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_refused_dispatch_surfaces_the_provider_error_without_secrets()
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(401, $$"""{"detail":"key {{BeyondPresenceFake.ApiKey}} unknown"}""");
        BeyondPresenceOptions options = Options();
        using var api = new BeyondPresenceApi(options, LoggerFactory());
        var dispatcher = new BeyondPresenceDispatcher(api, options);

        var failure = await FluentActions.Awaiting(() => dispatcher.DispatchAsync(DispatchRequest(), CancellationToken.None).AsTask())
            .Should().ThrowAsync<AvatarWorkerDispatchException>();

        failure.Which.Message.Should().Contain("BEY_API_KEY").And.NotContain(BeyondPresenceFake.ApiKey);
        AllLogText().Should().NotContain(BeyondPresenceFake.ApiKey).And.NotContain(BeyondPresenceFake.WorkerToken);
    }

    [Fact]
    public async Task End_sends_nothing_because_the_session_ends_when_the_worker_leaves_the_room()
    {
        BeyondPresenceOptions options = Options();
        using var api = new BeyondPresenceApi(options);
        var dispatcher = new BeyondPresenceDispatcher(api, options);
        AvatarWorkerDispatch dispatch = await dispatcher.DispatchAsync(DispatchRequest(), CancellationToken.None);

        await dispatcher.EndAsync(dispatch, CancellationToken.None);
        await dispatcher.EndAsync(dispatch, CancellationToken.None);

        Server.Requests.Should().ContainSingle("Beyond Presence documents no end call; the neutral session removes the worker from the room");
    }
}
