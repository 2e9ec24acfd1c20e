using Pipeline.Core.Avatars;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>The session's life in the agent's room: through the transport, against strangers, when the room drops,
/// and when removing the worker fails.</summary>
public sealed class WorkerRoomTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Over_the_agents_transport_the_session_joins_its_room_once_and_never_leaves_it()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join);
        await using var transport = new LiveKitTransport(new LiveKitTransportOptions { Url = h.Sfu.Url, Token = "identity:bot", Room = new RoomConnectOptions { ConnectTimeout = Bound } }, TestLogging.Factory);
        var dispatcher = new TestDispatcher(DispatchMode.Join);
        await using var _ = dispatcher;
        var factory = new LiveKitAvatarWorkerSessionFactory(Options(h), dispatcher, transport);
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);

        IAvatarSession session = await factory.OpenAsync(WorkerHarness.Context, timeout.Token);

        transport.Room.ConnectionState.Should().Be(RoomConnectionState.Connected, "the factory joined the transport's room");
        dispatcher.Request!.AgentIdentity.Should().Be("bot");
        await transport.ConnectAsync(timeout.Token); // idempotent: the same join
        (await session.CloseAsync("done")).Should().BeEmpty();
        dispatcher.Ends.Should().Be(1);
        transport.Room.ConnectionState.Should().Be(RoomConnectionState.Connected, "the transport owns its room");
    }

    [Fact]
    public async Task Only_the_worker_may_report_playback()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join);
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        await using IAvatarSession session = await h.OpenAsync(timeout.Token);
        await using var stranger = new Room(TestLogging.Factory);
        await stranger.ConnectAsync(h.Sfu.Url, "identity:stranger", new RoomConnectOptions { ConnectTimeout = Bound }, timeout.Token);

        LiveKitRpcException refused = (await FluentActions.Awaiting(() => stranger.LocalParticipant!.PerformRpcAsync(
            "agent", AvatarWorkerProtocol.PlaybackStartedMethod, "", cancellationToken: timeout.Token)).Should().ThrowAsync<LiveKitRpcException>()).Which;

        refused.Code.Should().Be(RpcErrorCodes.ApplicationError);
        refused.RpcMessage.Should().Contain("reject");
        h.Events.OfType<AvatarStartedSpeaking>().Should().BeEmpty("a stranger cannot make the avatar speak");
    }

    [Fact]
    public async Task The_agents_room_dropping_is_a_fatal_error_and_close_still_ends_once()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join);
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        IAvatarSession session = await h.OpenAsync(timeout.Token);
        IAvatarUtterance a = session.BeginUtterance("a");
        await a.AppendAsync(WorkerHarness.Speech(TimeSpan.FromMilliseconds(200), seed: 10), timeout.Token);

        await h.Sfu.CommandAsync("remove agent"); // the server removes the agent: its room is gone

        await h.Changed.WaitUntilAsync(() => h.Events.OfType<AvatarError>().Any(), Bound, "the fatal error");
        AvatarError fatal = h.Events.OfType<AvatarError>().Single();
        fatal.Fatal.Should().BeTrue();
        fatal.Message.Should().Contain("room").And.Contain("disconnected");
        await FluentActions.Awaiting(() => a.Completion.WaitAsync(Bound)).Should().ThrowAsync<LiveKitException>();
        (await session.CloseAsync("room gone")).Should().BeEmpty();
        await session.DisposeAsync();
        h.Dispatcher.Ends.Should().Be(1);
        h.RoomService.Removals.Should().ContainSingle();
    }

    [Fact]
    public async Task A_close_that_cannot_remove_the_worker_says_so_once()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join);
        await using var failing = new TestRoomService((_, _) => Task.FromResult((500, """{"code":"internal","msg":"database unavailable"}""")));
        var factory = new LiveKitAvatarWorkerSessionFactory(Options(h) is var o ? new LiveKitAvatarWorkerOptions
        {
            LiveKitUrl = o.LiveKitUrl, ApiKey = o.ApiKey, ApiSecret = o.ApiSecret, RoomServiceUrl = failing.Url, WaitForWorkerVideo = false,
        } : null!, h.Dispatcher, _ => Task.FromResult(h.Agent));
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        IAvatarSession session = await factory.OpenAsync(WorkerHarness.Context, timeout.Token);
        var events = new List<AvatarEvent>();
        Task reading = Task.Run(async () =>
        {
            await foreach (AvatarEvent e in session.ReadEventsAsync(CancellationToken.None))
            {
                events.Add(e);
            }
        });

        IReadOnlyList<AvatarError> errors = await session.CloseAsync("done");
        await reading.WaitAsync(Bound);

        AvatarError error = errors.Should().ContainSingle().Subject;
        error.Message.Should().Contain("Could not remove the avatar worker 'avatar-worker'").And.Contain("HTTP 500").And.Contain("database unavailable");
        error.Message.Should().NotContain(WorkerHarness.ApiSecret);
        events.OfType<AvatarError>().Should().BeEmpty("the close's errors are returned to the seam, which reports them: also writing them as events reported each twice");
        h.Dispatcher.Ends.Should().Be(1, "ending the provider's session does not depend on the removal");
        failing.Removals.Should().ContainSingle();
    }

    private static LiveKitAvatarWorkerOptions Options(WorkerHarness h) => new()
    {
        LiveKitUrl = h.Sfu.Url,
        ApiKey = WorkerHarness.ApiKey,
        ApiSecret = WorkerHarness.ApiSecret,
        RoomServiceUrl = h.RoomService.Url,
        WaitForWorkerVideo = false,
    };
}
