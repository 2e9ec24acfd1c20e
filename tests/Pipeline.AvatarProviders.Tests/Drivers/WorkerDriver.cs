using Pipeline.AvatarWorker.Emulator;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.AvatarProviders.Tests.Drivers;

/// <summary>
/// The LiveKit avatar-worker provider: <c>LiveKitAvatarWorkerSessionFactory</c> + the Beyond Presence dispatcher +
/// the emulated worker over the loopback SFU. Real WebRTC runs in real time, so waits are real with generous slack.
/// </summary>
internal sealed class WorkerDriver : ProviderDriver
{
    /// <summary>Added to every wait: the worker's time is real, and this machine may be busy.</summary>
    private static readonly TimeSpan LoadSlack = TimeSpan.FromSeconds(20);

    private WorkerDriver(WorkerRig rig, AvatarVideoService service, PipelineTask task)
        : base(task)
    {
        Rig = rig;
        Service = service;
    }

    public WorkerRig Rig { get; }

    public AvatarVideoService Service { get; }

    public AvatarWorkerLedger Ledger => Rig.Emulator.Ledger;

    public override int Opened => Ledger.Sessions.Count;

    public override int Closed => Ledger.Sessions.Count(s => s.LeftAt is not null);

    public override bool MediaThroughPipeline => false;

    public override bool SupportsListening => false;

    /// <summary>Always 0: the protocol has no listening pose (<see cref="SupportsListening"/> is false).</summary>
    public override int ListeningStarts => 0;

    public override int StopRequests => Ledger.Sessions.Sum(s => s.ClearBufferCalls.Count);

    public static async Task<ProviderDriver> StartAsync() => await StartAsync(rig => rig.CreateService());

    /// <summary>Starts a pipeline of the service <paramref name="service"/> makes over a new rig; waits for the
    /// StartFrame to come through (or the run to end, when opening fails).</summary>
    public static async Task<WorkerDriver> StartAsync(Func<WorkerRig, AvatarVideoService> service, Action<AvatarWorkerFaults>? faults = null)
    {
        WorkerRig rig = await WorkerRig.StartAsync();
        faults?.Invoke(rig.Emulator.Faults);
        AvatarVideoService avatar = service(rig);
        var task = new PipelineTask(avatar, new PipelineTaskOptions { AudioOutSampleRate = 24_000 });
        var driver = new WorkerDriver(rig, avatar, task);
        await driver.UntilAsync(() => driver.AtEnd.Any(f => f is StartFrame) || driver.Running.IsCompleted, "the session started", TimeSpan.FromSeconds(30));
        return driver;
    }

    public override Task UntilAsync(Func<bool> condition, string what, TimeSpan within) =>
        FakeClockPump.WaitUntilAsync(condition, what, within + LoadSlack);

    protected override ValueTask DisposeProviderAsync() => Rig.DisposeAsync();
}
