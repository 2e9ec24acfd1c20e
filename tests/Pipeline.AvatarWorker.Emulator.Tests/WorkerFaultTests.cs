using System.Threading.Channels;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorker.Emulator.Tests;

/// <summary>
/// The worker faults as the agent meets them in the room: no camera, no playback_started, a clear that is never
/// reported, a worker that drops out mid-utterance (on a timer or on demand), a late join, and a worker that leaves
/// because the agent left.
/// </summary>
public sealed class WorkerFaultTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_worker_without_video_started_reports_or_clear_reports_still_plays_and_finishes()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (WorkerRig rig = await WorkerRig.StartAsync(timeout.Token, 160, 90))
        {
            Channel<TrackPublishedEventArgs> published = PublishedTracks(rig.Agent);
            rig.Emulator.Faults.NeverPublishVideo = true;
            rig.Emulator.Faults.NeverSendPlaybackStarted = true;
            rig.Emulator.Faults.SilentClearBuffer = true;
            WorkerSessionRecord session = await rig.DispatchAsync("quiet-worker", timeout.Token);
            await session.Joined.WaitAsync(timeout.Token);

            TrackPublishedEventArgs microphone = await published.Reader.ReadAsync(timeout.Token);
            microphone.Participant.Identity.Should().Be("quiet-worker");
            microphone.Publication.Source.Should().Be(TrackSource.Microphone);
            session.VideoPublished.Should().BeFalse();
            session.AudioPublished.Should().BeTrue();

            // No playback_started: the first report the agent gets is the end of the utterance.
            await rig.SpeakAsync("quiet-worker", WorkerRig.Tone(TimeSpan.FromMilliseconds(300), 24_000), 24_000, 1, timeout.Token);
            WorkerRig.ParseFinished(await rig.Finished.Reader.ReadAsync(timeout.Token)).Should().Be((0.3, false));
            rig.Started.Reader.Count.Should().Be(0, "reports are sent in order, so a started would have come first");

            // A silent clear: answered, the avatar falls silent, but no interrupted report ever comes. The next
            // report is the following utterance's.
            string cut = await rig.SpeakAsync("quiet-worker", WorkerRig.Tone(TimeSpan.FromSeconds(3), 24_000), 24_000, 1, timeout.Token);
            await session.FindStream(cut)!.Completion.WaitAsync(timeout.Token);
            await WorkerMediaTests.WaitUntilAsync(() => session.FindStream(cut)!.PlaybackStartedAt is not null, timeout.Token);
            (await rig.Agent.LocalParticipant!.PerformRpcAsync("quiet-worker", AvatarWorkerProtocol.ClearBufferMethod, "", cancellationToken: timeout.Token)).Should().Be("ok");
            await rig.SpeakAsync("quiet-worker", WorkerRig.Tone(TimeSpan.FromMilliseconds(200), 24_000), 24_000, 1, timeout.Token);
            WorkerRig.ParseFinished(await rig.Finished.Reader.ReadAsync(timeout.Token)).Should().Be((0.2, false));
            session.ClearBufferCalls.Should().ContainSingle().Which.HadAudio.Should().BeTrue();
            session.FindStream(cut)!.Cleared.Should().BeTrue();
            session.RpcsSent.Select(r => r.Method).Should().OnlyContain(m => m == AvatarWorkerProtocol.PlaybackFinishedMethod);
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task A_worker_drops_out_mid_utterance_after_its_delay_or_on_demand_without_reporting_the_end()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (WorkerRig rig = await WorkerRig.StartAsync(timeout.Token, 160, 90))
        {
            Channel<string> departures = Departures(rig.Agent);

            rig.Emulator.Faults.DropAfterPlayback = TimeSpan.FromMilliseconds(300);
            WorkerSessionRecord timed = await rig.DispatchAsync("timed-dropper", timeout.Token);
            await timed.Joined.WaitAsync(timeout.Token);
            await rig.SpeakAsync("timed-dropper", WorkerRig.Tone(TimeSpan.FromSeconds(3), 24_000), 24_000, 1, timeout.Token);
            (await rig.Started.Reader.ReadAsync(timeout.Token)).CallerIdentity.Should().Be("timed-dropper");
            (await departures.Reader.ReadAsync(timeout.Token)).Should().Be("timed-dropper");
            await timed.Left.WaitAsync(timeout.Token);
            timed.LeaveReason.Should().Be(WorkerLeaveReason.Dropped);
            timed.RpcsSent.Select(r => r.Method).Should().NotContain(AvatarWorkerProtocol.PlaybackFinishedMethod, "a dropped worker says nothing more");

            rig.Emulator.Faults.DropAfterPlayback = null;
            WorkerSessionRecord onDemand = await rig.DispatchAsync("dropped-on-demand", timeout.Token);
            await onDemand.Joined.WaitAsync(timeout.Token);
            await rig.SpeakAsync("dropped-on-demand", WorkerRig.Tone(TimeSpan.FromSeconds(3), 24_000), 24_000, 1, timeout.Token);
            (await rig.Started.Reader.ReadAsync(timeout.Token)).CallerIdentity.Should().Be("dropped-on-demand");
            await rig.Emulator.DropWorkerAsync(onDemand.Id, timeout.Token);
            (await departures.Reader.ReadAsync(timeout.Token)).Should().Be("dropped-on-demand");
            onDemand.LeaveReason.Should().Be(WorkerLeaveReason.Dropped);
            rig.Finished.Reader.Count.Should().Be(0);
            rig.Emulator.Ledger.InRoom.Should().BeEmpty();
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task A_late_worker_joins_after_its_delay_and_leaves_when_the_agent_leaves()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (WorkerRig rig = await WorkerRig.StartAsync(timeout.Token, 160, 90))
        {
            var joined = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            rig.Agent.ParticipantConnected += (_, e) => joined.TrySetResult(e.Participant.Identity);
            rig.Emulator.Faults.JoinDelay = TimeSpan.FromMilliseconds(500);
            WorkerSessionRecord session = await rig.DispatchAsync("late-worker", timeout.Token);

            (await joined.Task.WaitAsync(timeout.Token)).Should().Be("late-worker");
            await session.Joined.WaitAsync(timeout.Token);
            (session.JoinedAt - session.CreatedAt).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(500), "it waited before joining");

            await rig.Agent.DisconnectAsync(timeout.Token);
            await session.Left.WaitAsync(timeout.Token);
            session.LeaveReason.Should().Be(WorkerLeaveReason.AgentLeft);
            rig.Emulator.Ledger.Running.Should().BeEmpty();
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task A_worker_the_server_removes_ends_its_session()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (WorkerRig rig = await WorkerRig.StartAsync(timeout.Token, 160, 90))
        {
            WorkerSessionRecord session = await rig.DispatchAsync("removed-worker", timeout.Token);
            await session.Joined.WaitAsync(timeout.Token);

            await rig.Sfu.CommandAsync("remove removed-worker");

            await session.Left.WaitAsync(timeout.Token);
            session.LeaveReason.Should().Be(WorkerLeaveReason.RemovedByServer);
            rig.Emulator.Ledger.Running.Should().BeEmpty();
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task A_worker_that_cannot_join_records_why_without_the_token_and_stops()
    {
        using var timeout = new CancellationTokenSource(Budget);
        await using AvatarWorkerEmulator emulator = await AvatarWorkerEmulator.StartAsync(new AvatarWorkerEmulatorOptions
        {
            RoomConnectOptions = new RoomConnectOptions { JoinRetries = 0, ConnectTimeout = TimeSpan.FromSeconds(20) },
            LoggerFactory = TestLogging.Factory,
        }, timeout.Token);
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
        http.DefaultRequestHeaders.Add("x-api-key", emulator.ApiKey);
        string token = WorkerTokens.Mint("lonely-worker");

        // A port nothing listens on: the engine's connect is refused at once.
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        int port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        (await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "v1/session",
            SessionApiTests.Body("a", $"ws://127.0.0.1:{port}", token), timeout.Token)).EnsureSuccessStatusCode();
        WorkerSessionRecord session = emulator.Ledger.Sessions.Single();

        await session.Left.WaitAsync(timeout.Token);
        session.LeaveReason.Should().Be(WorkerLeaveReason.JoinFailed);
        session.JoinError.Should().NotBeNullOrEmpty().And.NotContain(token.Split('.')[1]);
        await session.Awaiting(s => s.Joined).Should().ThrowAsync<InvalidOperationException>();
    }

    private static Channel<TrackPublishedEventArgs> PublishedTracks(Room room)
    {
        var published = Channel.CreateUnbounded<TrackPublishedEventArgs>();
        room.TrackPublished += (_, e) => published.Writer.TryWrite(e);
        return published;
    }

    private static Channel<string> Departures(Room room)
    {
        var departures = Channel.CreateUnbounded<string>();
        room.ParticipantDisconnected += (_, e) => departures.Writer.TryWrite(e.Identity);
        return departures;
    }
}
