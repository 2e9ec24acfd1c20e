using System.Net;
using Pipeline.Core.Avatars;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>
/// Whatever goes wrong once the dispatch began, the provider's session is ended and the worker removed exactly once,
/// the error says which step failed, and no secret is in it.
/// </summary>
public sealed class WorkerFailureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_worker_that_never_joins_fails_the_start_clearly_and_ends_the_provider_session()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.NeverJoin, joinTimeout: TimeSpan.FromSeconds(1));
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);

        AvatarStartException error = (await FluentActions.Awaiting(() => h.OpenAsync(timeout.Token)).Should().ThrowAsync<AvatarStartException>()).Which;

        error.Step.Should().Be("wait for the avatar worker to join the room");
        error.Message.Should().Contain("'avatar-worker'").And.Contain("did not join").And.Contain("1 s");
        AssertNoSecret(error, h.Dispatcher.Request!.WorkerToken);
        h.Dispatcher.Ends.Should().Be(1, "the provider's session is ended once");
        h.RoomService.Removals.Should().ContainSingle("the worker is removed once (the server says it is not there)");
        (await h.ParticipantsAsync()).Should().Equal(["agent"]);
        AssertRpcMethodsReleased(h.Agent);
        h.Agent.ConnectionState.Should().Be(RoomConnectionState.Connected);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task A_provider_refusal_fails_the_start_clearly_and_leaves_nothing(HttpStatusCode status)
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Refuse);
        var dispatcher = new TestDispatcher(DispatchMode.Refuse) { RefusalStatus = status };
        var factory = new LiveKitAvatarWorkerSessionFactory(Options(h), dispatcher, _ => Task.FromResult(h.Agent));
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);

        AvatarStartException error = (await FluentActions.Awaiting(() => factory.OpenAsync(WorkerHarness.Context, timeout.Token).AsTask())
            .Should().ThrowAsync<AvatarStartException>()).Which;

        error.Step.Should().Be("dispatch the avatar worker (Test provider)");
        error.InnerException.Should().BeOfType<AvatarWorkerDispatchException>().Which.StatusCode.Should().Be(status);
        error.Message.Should().Contain($"HTTP {(int)status}");
        AssertNoSecret(error, dispatcher.Request!.WorkerToken);
        dispatcher.Ends.Should().Be(0, "no provider session was started");
        h.RoomService.Removals.Should().ContainSingle("a worker that may have been sent is removed all the same (404: it is not there)");
        h.Agent.RemoteParticipants.Should().BeEmpty("nothing is left in the room");
        (await h.ParticipantsAsync()).Should().Equal(["agent"]);
        AssertRpcMethodsReleased(h.Agent);
    }

    [Fact]
    public async Task A_worker_dropping_mid_utterance_is_a_fatal_error_that_faults_the_utterance_and_close_still_ends_once()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join);
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        IAvatarSession session = await h.OpenAsync(timeout.Token);
        TestWorker worker = await h.Dispatcher.Worker;

        IAvatarUtterance a = session.BeginUtterance("a");
        Task appending = a.AppendAsync(WorkerHarness.Speech(TimeSpan.FromSeconds(5), seed: 8), timeout.Token).AsTask();
        await worker.Changed.WaitUntilAsync(() => worker.Streams.Count == 1 && worker.Streams[0].Length > 0, Bound, "speech at the worker");
        await worker.DisposeAsync(); // the worker crashes

        await h.Changed.WaitUntilAsync(() => h.Events.OfType<AvatarError>().Any(), Bound, "the fatal error");
        AvatarError fatal = h.Events.OfType<AvatarError>().Single();
        fatal.Fatal.Should().BeTrue();
        fatal.Message.Should().Contain("'avatar-worker'").And.Contain("left the room");
        await FluentActions.Awaiting(() => a.Completion.WaitAsync(Bound)).Should().ThrowAsync<LiveKitException>();
        await FluentActions.Awaiting(() => appending.WaitAsync(Bound)).Should().ThrowAsync<LiveKitException>().WithMessage("*utterance a*");
        await FluentActions.Awaiting(() => session.BeginUtterance("b").AppendAsync(new byte[480], timeout.Token).AsTask())
            .Should().ThrowAsync<LiveKitException>("the session can no longer stream");
        h.Events.OfType<AvatarStoppedSpeaking>().Should().NotBeEmpty("the pipeline must not believe the avatar still talks");

        IReadOnlyList<AvatarError> errors = await session.CloseAsync("worker gone");
        errors.Should().BeEmpty();
        h.Dispatcher.Ends.Should().Be(1);
        h.RoomService.Removals.Should().ContainSingle();
        (await h.ParticipantsAsync()).Should().Equal(["agent"]);
        await session.DisposeAsync();
        h.Dispatcher.Ends.Should().Be(1);
    }

    [Fact]
    public async Task Cancelling_the_start_at_each_await_ends_what_was_started_once()
    {
        // While finding the room: nothing was dispatched.
        await using (WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join, roomProvider: NeverConnected))
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await FluentActions.Awaiting(() => h.OpenAsync(cancel.Token)).Should().ThrowAsync<OperationCanceledException>();
            h.Dispatcher.Dispatches.Should().Be(0);
            h.RoomService.Removals.Should().BeEmpty();
        }

        // While the provider is being called: no session to end, the worker removed once.
        await using (WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Hang))
        {
            using var cancel = new CancellationTokenSource();
            Task opening = h.OpenAsync(cancel.Token);
            await h.Dispatcher.DispatchBegun.Task.WaitAsync(Bound);
            await cancel.CancelAsync();
            await FluentActions.Awaiting(() => opening).Should().ThrowAsync<OperationCanceledException>();
            h.Dispatcher.Ends.Should().Be(0);
            h.RoomService.Removals.Should().ContainSingle();
            AssertRpcMethodsReleased(h.Agent);
        }

        // While waiting for the worker: the provider's session ended once, the worker removed once.
        await using (WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.NeverJoin))
        {
            using var cancel = new CancellationTokenSource();
            Task opening = h.OpenAsync(cancel.Token);
            await h.Dispatcher.DispatchBegun.Task.WaitAsync(Bound);
            await cancel.CancelAsync();
            await FluentActions.Awaiting(() => opening).Should().ThrowAsync<OperationCanceledException>();
            h.Dispatcher.Ends.Should().Be(1);
            h.RoomService.Removals.Should().ContainSingle();
            AssertRpcMethodsReleased(h.Agent);
        }
    }

    [Fact]
    public async Task Closing_twice_or_disposing_closes_once()
    {
        await using WorkerHarness h = await WorkerHarness.StartAsync(DispatchMode.Join);
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        IAvatarSession session = await h.OpenAsync(timeout.Token);
        IAvatarUtterance open = session.BeginUtterance("left-open");
        await open.AppendAsync(WorkerHarness.Speech(TimeSpan.FromMilliseconds(200), seed: 9), timeout.Token);

        Task<IReadOnlyList<AvatarError>> first = session.CloseAsync("first");
        Task<IReadOnlyList<AvatarError>> second = session.CloseAsync("second");
        second.Should().BeSameAs(first);
        (await first).Should().BeEmpty();
        await session.DisposeAsync();
        await h.EventsEnded.WaitAsync(Bound); // the event stream ends with the session

        h.Dispatcher.Ends.Should().Be(1);
        h.RoomService.Removals.Should().ContainSingle();
        await FluentActions.Awaiting(() => open.Completion.WaitAsync(Bound)).Should().ThrowAsync<ObjectDisposedException>("an utterance left open ends with the session");
        AssertRpcMethodsReleased(h.Agent);
        await h.Changed.WaitUntilAsync(() => h.Agent.GetParticipant(h.Dispatcher.WorkerIdentity) is null, Bound, "the worker to be gone");
        (await h.ParticipantsAsync()).Should().Equal(["agent"], "the server removed the worker");
    }

    private static async Task<Room> NeverConnected(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    private static LiveKitAvatarWorkerOptions Options(WorkerHarness h) => new()
    {
        LiveKitUrl = h.Sfu.Url,
        ApiKey = WorkerHarness.ApiKey,
        ApiSecret = WorkerHarness.ApiSecret,
        RoomServiceUrl = h.RoomService.Url,
        WaitForWorkerVideo = false,
    };

    private static void AssertNoSecret(Exception error, string token)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            e.Message.Should().NotContain(token).And.NotContain(WorkerHarness.ApiSecret);
        }
    }

    // The session's RPC methods are free again: another session (or this one, re-opened) can register them.
    private static void AssertRpcMethodsReleased(Room agent)
    {
        agent.LocalParticipant!.RegisterRpcMethod(AvatarWorkerProtocol.PlaybackFinishedMethod, _ => Task.FromResult(""));
        agent.LocalParticipant.RegisterRpcMethod(AvatarWorkerProtocol.PlaybackStartedMethod, _ => Task.FromResult(""));
        agent.LocalParticipant.UnregisterRpcMethod(AvatarWorkerProtocol.PlaybackFinishedMethod);
        agent.LocalParticipant.UnregisterRpcMethod(AvatarWorkerProtocol.PlaybackStartedMethod);
    }
}
