using Pipeline.AvatarProviders.Tests.Drivers;
using Pipeline.AvatarWorker.Emulator;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.AvatarProviders.Tests.Worker;

/// <summary>
/// The worker provider's ways to fail, end to end: a worker that never joins, a dispatcher refused (401) or failing
/// (503), a worker dropped from the room mid-speech. Each gives a clear error, ends the provider's session, leaves no
/// worker in the room and nothing running; <c>RunAsync</c> returns.
/// </summary>
public sealed class WorkerFailureTests
{
    private const int Rate = 24_000;

    [Fact]
    public async Task A_worker_that_never_joins_fails_the_start_within_the_join_timeout_and_leaves_nothing_running()
    {
        await using WorkerDriver d = await WorkerDriver.StartAsync(
            rig => rig.CreateService(rig.WorkerOptions(joinTimeout: TimeSpan.FromSeconds(3))), faults => faults.NeverJoin = true);

        await d.UntilAsync(() => d.Running.IsCompleted, "the run failing", TimeSpan.FromSeconds(3));

        PipelineException failure = (await d.Running.Invoking(r => r).Should().ThrowAsync<PipelineException>()).Which;
        failure.Error.Message.Should().Contain("wait for the avatar worker to join the room").And.Contain("bey-avatar-agent")
            .And.NotContain(LoopbackRoom.ApiSecret).And.NotContain(d.Rig.Emulator.ApiKey);
        d.Ledger.Sessions.Should().ContainSingle("the worker was dispatched once");
        d.Ledger.InRoom.Should().BeEmpty();
        d.AtEnd.OfType<StartFrame>().Should().BeEmpty("the pipeline never started");
    }

    [Theory]
    [InlineData(401, "401")]
    [InlineData(503, "503")]
    public async Task A_dispatcher_refusal_is_a_clear_fatal_error_and_no_worker_exists(int status, string named)
    {
        await using WorkerDriver d = await WorkerDriver.StartAsync(rig => rig.CreateService(), faults => faults.FailDispatch(status));

        await d.UntilAsync(() => d.Running.IsCompleted, "the run failing", TimeSpan.FromSeconds(5));

        PipelineException failure = (await d.Running.Invoking(r => r).Should().ThrowAsync<PipelineException>()).Which;
        failure.Error.Message.Should().Contain("dispatch the avatar worker (Beyond Presence)").And.Contain(named)
            .And.NotContain(d.Rig.Emulator.ApiKey).And.NotContain(LoopbackRoom.ApiSecret);
        d.Ledger.DispatchRefusals.Should().Be(1);
        d.Ledger.Sessions.Should().BeEmpty("the provider started nothing that could bill");
    }

    [Fact]
    public async Task A_worker_dropped_from_the_room_mid_speech_ends_the_run_with_an_error_naming_it()
    {
        await using WorkerDriver d = await WorkerDriver.StartAsync(rig => rig.CreateService());
        await d.QueueAsync([new TTSStartedFrame { ContextId = "long" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(4), Rate), Rate, "long"), new TTSStoppedFrame { ContextId = "long" }]);
        await d.UntilAsync(() => d.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), "the avatar talking", TimeSpan.FromSeconds(4));
        WorkerSessionRecord session = d.Ledger.Sessions.Single();

        await d.Rig.Emulator.DropWorkerAsync(session.Id);

        await d.UntilAsync(() => d.Running.IsCompleted, "the run ending", TimeSpan.FromSeconds(10));
        PipelineException failure = (await d.Running.Invoking(r => r).Should().ThrowAsync<PipelineException>()).Which;
        failure.Error.Message.Should().Contain("bey-avatar-agent");
        session.LeaveReason.Should().Be(WorkerLeaveReason.Dropped);
        d.Ledger.Running.Should().BeEmpty();
        d.Ledger.InRoom.Should().BeEmpty();
    }
}
