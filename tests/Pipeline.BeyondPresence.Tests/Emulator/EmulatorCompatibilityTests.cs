using System.Net;
using Pipeline.AvatarWorker.Emulator;
using Pipeline.LiveKit.AvatarWorkers;
using Pipeline.Testing;

namespace Pipeline.BeyondPresence.Tests.Emulator;

/// <summary>
/// The dispatcher against the repository's Beyond-Presence-compatible emulator (Pipeline.AvatarWorker.Emulator): the
/// emulator reads the session the dispatcher asks for, checks the worker's token, and answers like the service. The
/// worker is kept out of any room (<see cref="AvatarWorkerFaults.NeverJoin"/>): these tests are about the REST call;
/// the worker in a room is the worker session's and the integration suite's.
/// </summary>
public sealed class EmulatorCompatibilityTests : IAsyncLifetime
{
    private const string Key = "bey-emulator-key-0123456789";
    private static readonly Uri LiveKitUrl = new("ws://127.0.0.1:7880");

    private CapturingLoggerProvider Logs { get; } = new();
    private AvatarWorkerEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _emulator = await AvatarWorkerEmulator.StartAsync(new AvatarWorkerEmulatorOptions { ApiKey = Key, LiveKitApiSecret = WorkerTokenMint.Secret });
        _emulator.Faults.NeverJoin = true;
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        Logs.Dispose();
    }

    [Fact]
    public async Task The_emulator_accepts_the_dispatch_and_records_the_worker_and_its_agent()
    {
        (BeyondPresenceApi api, BeyondPresenceDispatcher dispatcher) = Create(o => o.AvatarId = "avatar-under-test");
        using (api)
        {
            string token = WorkerTokenMint.Mint(dispatcher.WorkerIdentity, "agent-7", "room-42");

            AvatarWorkerDispatch dispatch = await dispatcher.DispatchAsync(
                new AvatarWorkerDispatchRequest(LiveKitUrl, "room-42", dispatcher.WorkerIdentity, "agent-7", token), CancellationToken.None);
            BeyondPresenceSession read = await api.GetSessionAsync(dispatch.SessionId);

            WorkerSessionRecord record = _emulator.Ledger.Sessions.Should().ContainSingle().Subject;
            record.Id.Should().Be(dispatch.SessionId);
            record.AvatarId.Should().Be("avatar-under-test");
            record.WorkerIdentity.Should().Be("bey-avatar-agent");
            record.AgentIdentity.Should().Be("agent-7");
            record.Room.Should().Be("room-42");
            record.LiveKitUrl.Should().Be(LiveKitUrl);
            read.AvatarId.Should().Be("avatar-under-test");
            read.CreatedAt.Should().BeCloseTo(record.CreatedAt, TimeSpan.FromSeconds(1), "the wire carries whole seconds");
            string logs = string.Join("\n", Logs.Lines.Select(l => l.FullText));
            logs.Should().NotContain(token).And.NotContain(Key);
        }
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_the_error_says_to_check_BEY_API_KEY()
    {
        (BeyondPresenceApi api, BeyondPresenceDispatcher dispatcher) = Create(o => o.ApiKey = "bey-not-the-emulators-key-000");
        using (api)
        {
            AvatarWorkerDispatchException failure = await DispatchFailsAsync(dispatcher, WorkerTokenMint.Mint(dispatcher.WorkerIdentity, "agent", "room"));

            failure.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            failure.Message.Should().Contain("check BEY_API_KEY").And.NotContain("bey-not-the-emulators-key-000");
            _emulator.Ledger.Sessions.Should().BeEmpty();
        }
    }

    [Fact]
    public async Task A_token_the_worker_could_not_join_with_is_a_422_quoted_without_the_token()
    {
        (BeyondPresenceApi api, BeyondPresenceDispatcher dispatcher) = Create();
        using (api)
        {
            string forged = WorkerTokenMint.Mint(dispatcher.WorkerIdentity, "agent", "room", secret: "some-other-livekit-secret-0000000000");

            AvatarWorkerDispatchException failure = await DispatchFailsAsync(dispatcher, forged);

            failure.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
            failure.IsTransient.Should().BeFalse();
            failure.Message.Should().Contain("Check the avatar id").And.Contain("LiveKit URL ws://127.0.0.1:7880")
                .And.Contain("livekit_token").And.Contain("not signed with the LiveKit API secret");
            failure.ToString().Should().NotContain(forged);
            _emulator.Ledger.Sessions.Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Injected_service_failures_are_retried_until_the_session_is_created_once()
    {
        _emulator.Faults.FailDispatch(503, times: 2);
        (BeyondPresenceApi api, BeyondPresenceDispatcher dispatcher) = Create();
        using (api)
        {
            AvatarWorkerDispatch dispatch = await dispatcher.DispatchAsync(
                new AvatarWorkerDispatchRequest(LiveKitUrl, "room", dispatcher.WorkerIdentity, "agent", WorkerTokenMint.Mint(dispatcher.WorkerIdentity, "agent", "room")),
                CancellationToken.None);

            _emulator.Ledger.Sessions.Should().ContainSingle().Which.Id.Should().Be(dispatch.SessionId);
            _emulator.Ledger.DispatchRefusals.Should().Be(2);
        }
    }

    private (BeyondPresenceApi Api, BeyondPresenceDispatcher Dispatcher) Create(Action<BeyondPresenceOptions>? configure = null)
    {
        var options = new BeyondPresenceOptions { ApiKey = Key, BaseUrl = _emulator.BaseAddress, RetryBaseDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        var api = new BeyondPresenceApi(options, Logs.CreateFactory());
        return (api, new BeyondPresenceDispatcher(api, options));
    }

    private static async Task<AvatarWorkerDispatchException> DispatchFailsAsync(BeyondPresenceDispatcher dispatcher, string token)
    {
        var failure = await FluentActions.Awaiting(() => dispatcher.DispatchAsync(
            new AvatarWorkerDispatchRequest(LiveKitUrl, "room", dispatcher.WorkerIdentity, "agent", token), CancellationToken.None).AsTask())
            .Should().ThrowAsync<AvatarWorkerDispatchException>();
        return failure.Which;
    }
}
