using Pipeline.Core.Frames;

namespace Pipeline.AvatarProviders.Tests.Drivers;

/// <summary>HeyGen (the Interactive Avatar API) on its emulator, relay mode, everything on one fake clock.</summary>
internal sealed class HeyGenDriver : ProviderDriver
{
    private readonly AvatarHarness _harness;

    private HeyGenDriver(AvatarHarness harness)
        : base(harness.Task)
    {
        _harness = harness;
    }

    public override int Opened => _harness.Emulator.Sessions.OpenedCount;

    public override int Closed => _harness.Emulator.Sessions.StoppedCount;

    public override bool MediaThroughPipeline => true;

    public override bool SupportsListening => true;

    public override int ListeningStarts => Events("agent.start_listening");

    public override int StopRequests => Events("agent.interrupt");

    public static async Task<ProviderDriver> StartAsync()
    {
        AvatarHarness harness = await AvatarHarness.CreateAsync(configure: o => o.WaitForOutputTransportReady = false);
        var driver = new HeyGenDriver(harness);
        await FakeClockPump.WaitUntilAsync(() => driver.AtEnd.Any(f => f is StartFrame) || driver.Running.IsCompleted, "the session started", AvatarHarness.Hang);
        return driver;
    }

    public override Task UntilAsync(Func<bool> condition, string what, TimeSpan within) =>
        FakeClockPump.AdvanceUntilAsync(_harness.Clock, condition, within, what, TimeSpan.FromMilliseconds(20));

    protected override ValueTask DisposeProviderAsync() => _harness.DisposeAsync();

    private int Events(string type) => _harness.Service.SessionId is null ? 0 : _harness.Realtime.Recorder.OfType(type).Count;
}
