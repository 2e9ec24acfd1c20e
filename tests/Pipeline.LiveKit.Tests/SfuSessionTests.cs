namespace Pipeline.LiveKit.Tests;

/// <summary>
/// How the loopback SFU admits and ends sessions: real tokens (refused with the reason when bad), a removal
/// (stdin "remove", as RoomService's), and a network drop (stdin "drop": no LeaveRequest).
/// </summary>
public sealed class SfuSessionTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("bad-signature", "signature")]
    [InlineData("no-room", "names no room")]
    [InlineData("other-room", "this server hosts room test-room")]
    public async Task A_bad_token_is_refused_with_the_servers_reason(string kind, string reason)
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar", "--room", "test-room", "--api-key", TestJwt.ApiKey, "--api-secret", TestJwt.ApiSecret))
        {
            string token = kind switch
            {
                "bad-signature" => TestJwt.Join("mallory", secret: "not-the-secret-but-also-32-characters-long"),
                "no-room" => TestJwt.Sign(new Dictionary<string, object?> { ["iss"] = TestJwt.ApiKey, ["sub"] = "mallory", ["video"] = new Dictionary<string, object> { ["roomJoin"] = true } }, TestJwt.ApiSecret),
                _ => TestJwt.Join("mallory", room: "another-room"),
            };
            await using var room = new Room(TestLogging.Factory);

            Func<Task> connect = () => room.ConnectAsync(sfu.Url, token, new RoomConnectOptions { ConnectTimeout = Budget, JoinRetries = 0 }, timeout.Token);

            (await connect.Should().ThrowAsync<LiveKitException>()).Which.Message.Should().Contain(reason).And.NotContain(token);
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task The_remove_command_ends_the_session_for_good_and_unknown_names_are_refused()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar"))
        {
            await using var agent = new Room(TestLogging.Factory);
            await using var worker = new Room(TestLogging.Factory);
            var left = new TaskCompletionSource<ParticipantDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            var ended = new TaskCompletionSource<RoomDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            agent.ParticipantDisconnected += (_, e) => left.TrySetResult(e);
            worker.Disconnected += (_, e) => ended.TrySetResult(e);
            await agent.ConnectAsync(sfu.Url, "identity:agent", Options, timeout.Token);
            await worker.ConnectAsync(sfu.Url, "identity:worker", Options, timeout.Token);

            await sfu.CommandAsync("remove worker");

            (await ended.Task.WaitAsync(timeout.Token)).Reason.Should().Be(DisconnectReason.ParticipantRemoved);
            (await left.Task.WaitAsync(timeout.Token)).Should().Be(new ParticipantDisconnectedEventArgs("worker", DisconnectReason.ParticipantRemoved));
            await sfu.Awaiting(s => s.CommandAsync("remove worker")).Should().ThrowAsync<InvalidOperationException>().WithMessage("*no such participant*remove worker*");
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task A_dropped_participant_leaves_the_others_without_a_leave_request_and_cannot_come_back()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget * 2);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar"))
        {
            await using var agent = new Room(TestLogging.Factory);
            await using var worker = new Room(TestLogging.Factory);
            var left = new TaskCompletionSource<ParticipantDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            var reconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var removed = false;
            agent.ParticipantDisconnected += (_, e) => left.TrySetResult(e);
            worker.Reconnecting += (_, _) => reconnecting.TrySetResult();
            worker.Disconnected += (_, e) => removed |= e.Reason == DisconnectReason.ParticipantRemoved;
            await agent.ConnectAsync(sfu.Url, "identity:agent", Options, timeout.Token);
            await worker.ConnectAsync(sfu.Url, "identity:worker", Options, timeout.Token);

            await sfu.CommandAsync("drop worker");

            ParticipantDisconnectedEventArgs gone = await left.Task.WaitAsync(timeout.Token);
            gone.Identity.Should().Be("worker");
            gone.Reason.Should().Be(DisconnectReason.SignalClose);
            await reconnecting.Task.WaitAsync(timeout.Token); // a drop, not a removal: the engine tries to come back
            removed.Should().BeFalse("a network drop sends no LeaveRequest");
            agent.GetParticipant("worker").Should().BeNull();
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    private static RoomConnectOptions Options => new() { ConnectTimeout = Budget };
}
