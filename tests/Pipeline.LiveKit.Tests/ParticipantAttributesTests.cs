namespace Pipeline.LiveKit.Tests;

/// <summary>
/// Participant attributes over real WebRTC: the loopback SFU takes identity, name, kind and attributes from LiveKit
/// access tokens, as a LiveKit server does, and the engine hands them to both sides.
/// </summary>
public sealed class ParticipantAttributesTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Token_identity_kind_and_attributes_reach_the_participant_and_the_others()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar", "--api-key", TestJwt.ApiKey, "--api-secret", TestJwt.ApiSecret))
        {
            await using var agent = new Room(TestLogging.Factory);
            await using var worker = new Room(TestLogging.Factory);
            var workerSeen = new TaskCompletionSource<RemoteParticipant>(TaskCreationOptions.RunContinuationsAsynchronously);
            agent.ParticipantConnected += (_, e) => workerSeen.TrySetResult(e.Participant);
            await agent.ConnectAsync(sfu.Url, TestJwt.Join("agent-1", kind: "agent"), Options, timeout.Token);
            await worker.ConnectAsync(sfu.Url, TestJwt.Join("worker-1", attributes: new Dictionary<string, string> { ["lk.publish_on_behalf"] = "agent-1", ["mood"] = "calm" }), Options, timeout.Token);

            worker.LocalParticipant!.Identity.Should().Be("worker-1");
            worker.LocalParticipant.Name.Should().Be("worker-1 (display)");
            worker.LocalParticipant.Attributes.Should().Equal(new Dictionary<string, string> { ["lk.publish_on_behalf"] = "agent-1", ["mood"] = "calm" });
            agent.LocalParticipant!.Attributes.Should().BeEmpty();

            RemoteParticipant seenByAgent = await workerSeen.Task.WaitAsync(timeout.Token);
            seenByAgent.Identity.Should().Be("worker-1");
            seenByAgent.Kind.Should().Be(ParticipantKind.Standard);
            seenByAgent.Attributes.Should().Contain("lk.publish_on_behalf", "agent-1").And.HaveCount(2);
            RemoteParticipant seenByWorker = worker.GetParticipant("agent-1")!;
            seenByWorker.Kind.Should().Be(ParticipantKind.Agent, "the token's kind \"agent\" makes an agent participant");
            seenByWorker.Name.Should().Be("agent-1 (display)");
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task A_server_update_of_attributes_changes_them_on_both_sides_and_raises_the_event()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar"))
        {
            await using var agent = new Room(TestLogging.Factory);
            await using var worker = new Room(TestLogging.Factory);
            var seenByAgent = new TaskCompletionSource<ParticipantAttributesChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            var seenByWorker = new TaskCompletionSource<ParticipantAttributesChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            agent.ParticipantAttributesChanged += (_, e) => seenByAgent.TrySetResult(e);
            worker.ParticipantAttributesChanged += (_, e) => seenByWorker.TrySetResult(e);
            await agent.ConnectAsync(sfu.Url, TestJwt.Join("agent-1"), Options, timeout.Token);
            await worker.ConnectAsync(sfu.Url, TestJwt.Join("worker-1", attributes: new Dictionary<string, string> { ["state"] = "idle", ["gone"] = "soon" }), Options, timeout.Token);
            await WaitUntil(() => agent.GetParticipant("worker-1") is not null, agent, timeout.Token);

            await sfu.CommandAsync("""attributes worker-1 {"state": "speaking"}""");

            ParticipantAttributesChangedEventArgs remote = await seenByAgent.Task.WaitAsync(timeout.Token);
            remote.ParticipantIdentity.Should().Be("worker-1");
            remote.Participant.Should().BeSameAs(agent.GetParticipant("worker-1"));
            remote.Attributes.Should().Equal(new Dictionary<string, string> { ["state"] = "speaking" });
            remote.ChangedAttributes.Should().Contain("state", "speaking").And.Contain("gone", "", "a removed attribute is a change to empty");
            agent.GetParticipant("worker-1")!.Attributes.Should().Equal(new Dictionary<string, string> { ["state"] = "speaking" });

            ParticipantAttributesChangedEventArgs local = await seenByWorker.Task.WaitAsync(timeout.Token);
            local.ParticipantIdentity.Should().Be("worker-1");
            local.Participant.Should().BeNull("it is the local participant");
            worker.LocalParticipant!.Attributes.Should().Equal(new Dictionary<string, string> { ["state"] = "speaking" });
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    private static async Task WaitUntil(Func<bool> condition, Room room, CancellationToken cancellationToken)
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<ParticipantConnectedEventArgs> onJoin = (_, _) => changed.TrySetResult();
        room.ParticipantConnected += onJoin;
        try
        {
            if (!condition())
            {
                await changed.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            room.ParticipantConnected -= onJoin;
        }
    }

    private static RoomConnectOptions Options => new() { ConnectTimeout = Budget };
}
