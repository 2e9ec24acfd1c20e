using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>A cancellation token cancels the request in flight, and never leaves a session open.</summary>
public sealed class CancellationTests : EmulatorTest
{
    private static readonly TimeSpan Forever = TimeSpan.FromHours(1);

    [Fact]
    public async Task Cancelling_during_new_waits_for_its_answer_within_the_cleanup_budget_then_abandons_it_and_logs_the_risk()
    {
        var time = new TimerObservingTimeProvider();
        var api = HeyGen(o => o.CleanupTimeout = TimeSpan.FromSeconds(2), time);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Delayed(Forever));
        using var cts = new CancellationTokenSource();

        var newSession = api.NewSessionAsync(new NewSessionRequest(), cts.Token);
        await Emulator.Requests.WaitForAsync(EmulatorEndpoint.StreamingNew, 1);
        await cts.CancelAsync();
        await FakeClockPump.AdvanceUntilAsync(time, () => newSession.IsCompleted, TimeSpan.FromSeconds(10), "the cleanup budget ending",
            TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20));

        await newSession.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        time.GetUtcNow().Should().BeOnOrAfter(time.Start + TimeSpan.FromSeconds(2), "the answer was awaited for the cleanup budget");
        Emulator.Sessions.OpenedCount.Should().Be(0);
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingNew).Should().Be(1, "a cancellation is not retried");
        Logs.Lines.Should().Contain(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error
            && l.Message.Contains("may have opened a session", StringComparison.Ordinal) && l.Message.Contains("CloseLeakedSessionsAsync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_during_start_stops_the_created_session_then_throws()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Delayed(Forever));
        using var cts = new CancellationTokenSource();

        var newSession = api.NewSessionAsync(new NewSessionRequest(), cts.Token);
        await Emulator.Requests.WaitForAsync(EmulatorEndpoint.StreamingStart, 1);
        await cts.CancelAsync();

        await newSession.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        Emulator.Sessions.OpenedCount.Should().Be(1);
        Emulator.Sessions.Open.Should().BeEmpty();
    }

    [Fact]
    public async Task Cancelling_a_retry_wait_ends_the_call()
    {
        var time = new TimerObservingTimeProvider();
        var api = HeyGen(o =>
        {
            o.Retry.BaseDelay = TimeSpan.FromSeconds(1);
            o.AttemptTimeout = Timeout.InfiniteTimeSpan;
        }, time);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(503), times: 5);
        using var cts = new CancellationTokenSource();

        var create = api.CreateTokenAsync(cts.Token);
        await time.NextTimerAsync();
        await cts.CancelAsync();

        await create.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingCreateToken).Should().Be(1);
    }

    [Fact]
    public async Task Cancelling_during_LiveAvatar_start_stops_the_session()
    {
        var api = LiveAvatar();
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarStart, EmulatedFault.Delayed(Forever));
        using var cts = new CancellationTokenSource();

        var newSession = api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" }, cts.Token);
        await Emulator.Requests.WaitForAsync(EmulatorEndpoint.LiveAvatarStart, 1);
        await cts.CancelAsync();

        await newSession.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        Emulator.Sessions.All.Should().ContainSingle().Which.StopReason.Should().Be("SERVER_ERROR");
    }

    [Fact]
    public async Task An_already_cancelled_token_sends_nothing()
    {
        var api = HeyGen();

        await api.Invoking(a => a.NewSessionAsync(new NewSessionRequest(), new CancellationToken(canceled: true)))
            .Should().ThrowAsync<OperationCanceledException>();

        Emulator.Requests.All.Should().BeEmpty();
    }
}
