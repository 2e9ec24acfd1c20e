using Pipeline.AvatarProviders.Tests.Drivers;
using Pipeline.AvatarWorker.Emulator;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.AvatarProviders.Tests.Worker;

/// <summary>
/// Beyond Presence bills until its worker leaves the room and has no "end session" call: the session itself removes
/// the worker (LiveKit's RoomService), once, however the run ends, and the bot stays in its room.
/// </summary>
public sealed class WorkerRemovalTests
{
    private const int Rate = 24_000;

    [Fact]
    public async Task Ending_the_pipeline_removes_the_worker_from_the_room_once_and_the_bot_stays()
    {
        await using WorkerDriver d = await WorkerDriver.StartAsync(rig => rig.CreateService());
        await d.QueueAsync([new TTSStartedFrame { ContextId = "e" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), Rate), Rate, "e"), new EndFrame()]);

        await d.UntilAsync(() => d.Running.IsCompleted, "the run ending", TimeSpan.FromSeconds(10));

        (await d.Running).Should().Be(PipelineFinishReason.Ended);
        WorkerSessionRecord session = d.Ledger.Sessions.Single();
        await d.UntilAsync(() => session.LeftAt is not null, "the worker leaving", TimeSpan.FromSeconds(5));
        session.LeaveReason.Should().Be(WorkerLeaveReason.RemovedByServer, "the session removed it; the bot did not leave");
        d.Ledger.Running.Should().BeEmpty();
        d.Rig.Agent.Room.LocalParticipant.Should().NotBeNull("the bot's room belongs to its transport, which is still connected");
        d.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task Cancelling_mid_speech_removes_the_worker_once()
    {
        await using WorkerDriver d = await WorkerDriver.StartAsync(rig => rig.CreateService());
        await d.QueueAsync([new TTSStartedFrame { ContextId = "c" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(4), Rate), Rate, "c")]);
        await d.UntilAsync(() => d.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), "the avatar talking", TimeSpan.FromSeconds(4));

        d.Task.Cancel();

        await d.UntilAsync(() => d.Running.IsCompleted, "the run ending", TimeSpan.FromSeconds(10));
        WorkerSessionRecord session = d.Ledger.Sessions.Single();
        await d.UntilAsync(() => session.LeftAt is not null, "the worker leaving", TimeSpan.FromSeconds(5));
        session.LeaveReason.Should().Be(WorkerLeaveReason.RemovedByServer);
        d.Ledger.Running.Should().BeEmpty();
    }
}
