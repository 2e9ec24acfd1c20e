using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorker.Emulator.Tests;

/// <summary>
/// Interruption and refusals as the agent sees them: <c>lk.clear_buffer</c> cuts the playing utterance (reported
/// finished and interrupted at the position reached), the rest of that stream is received but never played, and the
/// next utterance plays normally; only the agent may clear or speak; a stream without its PCM format is refused.
/// </summary>
public sealed class ClearBufferTests
{
    private const string Worker = "avatar-worker";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Clear_buffer_cuts_the_utterance_drops_the_rest_of_its_stream_and_a_later_utterance_still_plays()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (WorkerRig rig = await WorkerRig.StartAsync(timeout.Token, 160, 90))
        {
            await using var stranger = new Room(TestLogging.Factory);
            await stranger.ConnectAsync(rig.Sfu.Url, WorkerTokens.Participant("stranger"), WorkerRig.ConnectOptions, timeout.Token);
            WorkerSessionRecord session = await rig.DispatchAsync(Worker, timeout.Token);
            await session.Joined.WaitAsync(timeout.Token);

            // 16 kHz stereo: the worker mixes it down and resamples it for the avatar; the ledger keeps it as sent.
            byte[] first = WorkerRig.Tone(TimeSpan.FromSeconds(2), 16_000, channels: 2);
            byte[] rest = WorkerRig.Tone(TimeSpan.FromSeconds(1), 16_000, channels: 2);
            ByteStreamWriter cut = await rig.OpenSpeechAsync(Worker, 16_000, 2, timeout.Token);
            await WorkerRig.WriteChunksAsync(cut, first, 6_400, timeout.Token);
            RpcInvocation started = await rig.Started.Reader.ReadAsync(timeout.Token);
            started.CallerIdentity.Should().Be(Worker);

            LiveKitRpcException refused = (await FluentActions.Awaiting(() => stranger.LocalParticipant!.PerformRpcAsync(
                Worker, AvatarWorkerProtocol.ClearBufferMethod, "", cancellationToken: timeout.Token)).Should().ThrowAsync<LiveKitRpcException>()).Which;
            refused.Code.Should().Be(RpcErrorCodes.ApplicationError, "only the agent may clear");
            string answer = await rig.Agent.LocalParticipant!.PerformRpcAsync(Worker, AvatarWorkerProtocol.ClearBufferMethod, "", cancellationToken: timeout.Token);
            answer.Should().Be("ok");

            (double position, bool interrupted) = WorkerRig.ParseFinished(await rig.Finished.Reader.ReadAsync(timeout.Token));
            interrupted.Should().BeTrue();
            position.Should().BeGreaterThan(0).And.BeLessThan(2, "it was cut before its 2 s were played");

            await WorkerRig.WriteChunksAsync(cut, rest, 6_400, timeout.Token);
            await cut.CloseAsync(cancellationToken: timeout.Token);
            await cut.DisposeAsync();
            AudioStreamRecord cutStream = session.FindStream(cut.Info.StreamId)!;
            await cutStream.Completion.WaitAsync(timeout.Token);
            cutStream.ReceivedPcm.Should().Equal([.. first, .. rest], "every byte is received, even after the clear");
            cutStream.TrailerReceived.Should().BeTrue();
            cutStream.Cleared.Should().BeTrue();

            // A stranger's speech is not played; the agent's next utterance is, and its reports are the next ones the
            // agent gets (nothing more came for the cleared stream).
            string strangers = await SpeakFromAsync(stranger, WorkerRig.Tone(TimeSpan.FromMilliseconds(300), 24_000), timeout.Token);
            string next = await rig.SpeakAsync(Worker, WorkerRig.Tone(TimeSpan.FromMilliseconds(400), 48_000), 48_000, 1, timeout.Token);
            (await rig.Started.Reader.ReadAsync(timeout.Token)).CallerIdentity.Should().Be(Worker);
            (position, interrupted) = WorkerRig.ParseFinished(await rig.Finished.Reader.ReadAsync(timeout.Token));
            interrupted.Should().BeFalse();
            position.Should().BeApproximately(0.4, 0.001);
            await WaitForStreamAsync(session, strangers, timeout.Token);
            session.FindStream(strangers)!.Rejection.Should().Contain("not from the agent");
            session.FindStream(next)!.Rejection.Should().BeNull();

            // A stream without its format is refused and reported finished at once, without playing.
            await using (ByteStreamWriter bare = await rig.OpenSpeechAsync(Worker, 24_000, 1, timeout.Token, withFormat: false))
            {
                await bare.WriteAsync(WorkerRig.Tone(TimeSpan.FromMilliseconds(100), 24_000), timeout.Token);
                await bare.CloseAsync(cancellationToken: timeout.Token);
                (position, interrupted) = WorkerRig.ParseFinished(await rig.Finished.Reader.ReadAsync(timeout.Token));
                (position, interrupted).Should().Be((0.0, false));
                session.FindStream(bare.Info.StreamId)!.Rejection.Should().Contain("sample_rate");
            }

            // A clear with nothing to clear is answered and reports nothing.
            (await rig.Agent.LocalParticipant.PerformRpcAsync(Worker, AvatarWorkerProtocol.ClearBufferMethod, "", cancellationToken: timeout.Token)).Should().Be("ok");
            session.ClearBufferCalls.Select(c => (c.CallerIdentity, c.Accepted, c.HadAudio)).Should().Equal(
                ("stranger", false, false), (WorkerRig.AgentIdentity, true, true), (WorkerRig.AgentIdentity, true, false));

            // Disposed mid-utterance: the worker leaves the room and stops everything it ran.
            var left = new TaskCompletionSource<ParticipantDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            rig.Agent.ParticipantDisconnected += (_, e) =>
            {
                if (e.Identity == Worker)
                {
                    left.TrySetResult(e);
                }
            };
            await rig.SpeakAsync(Worker, WorkerRig.Tone(TimeSpan.FromSeconds(3), 24_000), 24_000, 1, timeout.Token);
            await rig.Started.Reader.ReadAsync(timeout.Token);
            await rig.Emulator.DisposeAsync();
            await left.Task.WaitAsync(timeout.Token);
            session.LeaveReason.Should().Be(WorkerLeaveReason.EmulatorDisposed);
            session.Left.IsCompleted.Should().BeTrue();
            rig.Emulator.Ledger.Running.Should().BeEmpty();
            rig.Finished.Reader.Count.Should().Be(0, "a clear with nothing to clear, and a worker that is stopped, report nothing");
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    private static async Task<string> SpeakFromAsync(Room sender, byte[] pcm, CancellationToken cancellationToken)
    {
        await using ByteStreamWriter writer = await sender.LocalParticipant!.StreamBytesAsync(new ByteStreamOptions
        {
            Topic = AvatarWorkerProtocol.AudioStreamTopic,
            Attributes = AvatarWorkerProtocol.AudioStreamAttributes(24_000),
            DestinationIdentities = [Worker],
        }, cancellationToken);
        await writer.WriteAsync(pcm, cancellationToken);
        await writer.CloseAsync(cancellationToken: cancellationToken);
        return writer.Info.StreamId;
    }

    private static async Task WaitForStreamAsync(WorkerSessionRecord session, string streamId, CancellationToken cancellationToken)
    {
        await WorkerMediaTests.WaitUntilAsync(() => session.FindStream(streamId) is not null, cancellationToken);
        await session.FindStream(streamId)!.Completion.WaitAsync(cancellationToken);
    }
}
