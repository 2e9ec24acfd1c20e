using Pipeline.LiveKit.AvatarWorkers;
using Pipeline.Tavus.Tests.Infrastructure;

namespace Pipeline.Tavus.Tests.Dispatch;

/// <summary>The dispatcher sends a Tavus replica where the session asks, and ends the conversation it started.</summary>
public sealed class DispatcherTests : TavusTest
{
    private static AvatarWorkerDispatchRequest DispatchRequest(string workerIdentity = TavusOptions.DefaultWorkerIdentity) =>
        new(LiveKitUrl, "room-1", workerIdentity, "agent-1", TavusFake.WorkerToken);

    [Fact]
    public async Task Dispatch_then_end_opens_and_ends_exactly_one_conversation()
    {
        TavusOptions options = Options();
        using var api = new TavusApi(options, Logs.CreateFactory());
        var dispatcher = new TavusDispatcher(api, options);

        AvatarWorkerDispatch dispatch = await dispatcher.DispatchAsync(DispatchRequest(), CancellationToken.None);
        await dispatcher.EndAsync(dispatch, CancellationToken.None);

        dispatch.Should().Be(new AvatarWorkerDispatch("Tavus", "c000001"));
        Tavus.Ends.Should().Equal(new Dictionary<string, int> { ["c000001"] = 1 });
        Server.Requests[0].BodyText.Should().MatchRegex("\"conversation_name\":\"pipeline-room-1-[0-9a-f]{32}\"");
        AllLogText().Should().NotContain(TavusFake.WorkerToken).And.NotContain(TavusFake.ApiKey);
    }

    [Fact]
    public async Task Ending_a_conversation_that_already_ended_does_not_throw()
    {
        TavusOptions options = Options();
        using var api = new TavusApi(options);
        var dispatcher = new TavusDispatcher(api, options);

        await dispatcher.EndAsync(new AvatarWorkerDispatch("Tavus", "c424242"), CancellationToken.None);

        Server.Requests.Should().ContainSingle().Which.Path.Should().Be("/v2/conversations/c424242/end");
    }

    [Fact]
    public void The_dispatcher_names_its_provider_and_replica_identity()
    {
        TavusOptions options = Options();
        using var api = new TavusApi(options);
        var dispatcher = new TavusDispatcher(api, options);

        dispatcher.Provider.Should().Be("Tavus");
        dispatcher.WorkerIdentity.Should().Be("tavus-avatar-agent", "LiveKit's plugin's default");
    }

    [Fact]
    public async Task A_request_for_another_worker_identity_is_refused_before_anything_is_sent()
    {
        TavusOptions options = Options();
        using var api = new TavusApi(options);
        var dispatcher = new TavusDispatcher(api, options);

        await FluentActions.Awaiting(() => dispatcher.DispatchAsync(DispatchRequest("bey-avatar-agent"), CancellationToken.None).AsTask())
            .Should().ThrowAsync<ArgumentException>().WithMessage("*'bey-avatar-agent'*'tavus-avatar-agent'*");
        Server.Requests.Should().BeEmpty();
    }
}
