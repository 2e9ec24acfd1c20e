using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>
/// A stop is retried with backoff until <see cref="AvatarApiOptions.CloseTimeout"/>, not a fixed number of times: a
/// session that is not stopped stays billed (issue 12, item 5). The emulator and the clients share one fake clock.
/// </summary>
public sealed class CloseRetryTests : EmulatorTest
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(20);
    private readonly TimerObservingTimeProvider _clock = new();

    protected override HeyGenEmulatorOptions EmulatorOptions() => new() { TimeProvider = _clock };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Item5_a_stop_keeps_being_retried_with_backoff_past_the_retry_count_while_its_budget_lasts(bool liveAvatar)
    {
        BaseAvatarApi api = Client(liveAvatar, TimeSpan.FromSeconds(30));
        var session = await api.NewSessionAsync(liveAvatar ? new LiveAvatarNewSessionRequest { AvatarId = "a-1" } : new NewSessionRequest());
        var stop = liveAvatar ? EmulatorEndpoint.LiveAvatarStop : EmulatorEndpoint.StreamingStop;
        Emulator.Faults.Inject(stop, EmulatedFault.Status(503), times: 7);

        var close = api.CloseSessionAsync(session.SessionId);
        await FakeClockPump.AdvanceUntilAsync(_clock, () => close.IsCompleted, TimeSpan.FromSeconds(30), "the stop getting through", TimeSpan.FromMilliseconds(50), Hang);

        await close; // no exception: the eighth attempt got through
        var times = Emulator.Requests.All.Where(r => r.Endpoint == stop).Select(r => r.ReceivedAt).ToList();
        times.Should().HaveCount(8);
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        // Lower bounds: the clock moves on while a request travels, never back.
        gaps[0].Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(100));
        gaps[1].Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200), "the configured retries back off exponentially");
        gaps[2].Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(400));
        gaps.Skip(3).Should().OnlyContain(g => g >= TimeSpan.FromSeconds(1), "later retries are at least a second apart");
        Emulator.Sessions.Open.Should().BeEmpty();
    }

    [Fact]
    public async Task Item5_a_stop_that_keeps_failing_is_reported_when_the_close_budget_ends_not_before()
    {
        var api = (HeyGenApi)Client(liveAvatar: false, TimeSpan.FromSeconds(10));
        var session = await api.NewSessionAsync(new NewSessionRequest());
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStop, EmulatedFault.Status(503), times: 1000);
        var started = _clock.GetUtcNow();

        var close = api.CloseSessionAsync(session.SessionId);
        await FakeClockPump.AdvanceUntilAsync(_clock, () => close.IsCompleted, TimeSpan.FromSeconds(30), "the stop giving up", TimeSpan.FromMilliseconds(50), Hang);

        var error = (await close.Invoking(t => t).Should().ThrowAsync<HeyGenApiException>()).Which;
        var times = Emulator.Requests.All.Where(r => r.Endpoint == EmulatorEndpoint.StreamingStop).Select(r => r.ReceivedAt).ToList();
        times.Count.Should().BeGreaterThan(4, "the retry count does not end a stop early");
        (times[^1] - started).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(9), "attempts go on until the budget ends");
        (_clock.GetUtcNow() - started).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(10), "the failure is reported when the budget ends, not before");
        error.Status.Should().Be(503);
        error.Message.Should().Contain($"after {times.Count} attempts");

        Emulator.Faults.Clear();
        await api.CloseSessionAsync(session.SessionId);
    }

    private BaseAvatarApi Client(bool liveAvatar, TimeSpan closeTimeout)
    {
        void Configure(AvatarApiOptions o)
        {
            o.CloseTimeout = closeTimeout;
            o.Retry.MaxRetryAttempts = 3;
            o.Retry.BaseDelay = TimeSpan.FromMilliseconds(100);
            o.Retry.UseJitter = false;
        }

        return liveAvatar ? LiveAvatar(Configure, _clock) : HeyGen(Configure, _clock);
    }
}
