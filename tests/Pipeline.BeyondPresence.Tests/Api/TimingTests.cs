using Pipeline.BeyondPresence.Tests.Infrastructure;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.BeyondPresence.Tests.Api;

/// <summary>Backoff, attempt timeouts and cancellation, on a fake clock: no test sleeps.</summary>
public sealed class TimingTests : BeyTest
{
    [Fact]
    public async Task Retries_back_off_exponentially_on_the_given_clock()
    {
        var time = new TimerObservingTimeProvider();
        Server.Enqueue(new ScriptedAnswer(503), new ScriptedAnswer(503));
        using BeyondPresenceApi api = Api(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromSeconds(2);
            o.MaxRetryDelay = TimeSpan.FromSeconds(30);
            o.RequestTimeout = Timeout.InfiniteTimeSpan;
        }, time);

        Task<BeyondPresenceSession> create = api.CreateSessionAsync(Request());

        (await time.AdvanceToNextTimerAsync()).Should().Be(TimeSpan.FromSeconds(2));
        (await time.AdvanceToNextTimerAsync()).Should().Be(TimeSpan.FromSeconds(4));
        (await create.WaitAsync(TimeSpan.FromSeconds(30))).Id.Should().NotBeNullOrEmpty();
        Server.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_Retry_After_within_bounds_sets_the_delay()
    {
        var time = new TimerObservingTimeProvider();
        Server.Enqueue(new ScriptedAnswer(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "7" }));
        using BeyondPresenceApi api = Api(o => o.RequestTimeout = Timeout.InfiniteTimeSpan, time);

        Task<BeyondPresenceSession> create = api.CreateSessionAsync(Request());

        (await time.AdvanceToNextTimerAsync()).Should().Be(TimeSpan.FromSeconds(7));
        await create.WaitAsync(TimeSpan.FromSeconds(30));
        Server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task An_attempt_that_is_not_answered_in_time_is_retried_then_reported()
    {
        var time = new TimerObservingTimeProvider();
        Server.DefaultAnswer = _ => new ScriptedAnswer(0, Hang: true);
        using BeyondPresenceApi api = Api(o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(5);
            o.MaxRetryAttempts = 1;
        }, time);

        Task<BeyondPresenceSession> create = api.CreateSessionAsync(Request());
        await Server.NextRequestAsync();
        (await time.AdvanceToNextTimerAsync()).Should().Be(TimeSpan.FromSeconds(5));
        await Server.NextRequestAsync();
        (await time.AdvanceToNextTimerAsync()).Should().Be(TimeSpan.FromSeconds(5));

        var failure = await FluentActions.Awaiting(() => create.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<AvatarWorkerDispatchException>();
        failure.Which.IsTransient.Should().BeTrue();
        failure.Which.Message.Should().Contain("no answer within 5 s after 2 attempts");
    }

    [Fact]
    public async Task Cancelling_aborts_the_request_and_throws_OperationCanceledException()
    {
        Server.DefaultAnswer = _ => new ScriptedAnswer(0, Hang: true);
        using BeyondPresenceApi api = Api();
        using var cancel = new CancellationTokenSource();

        Task<BeyondPresenceSession> create = api.CreateSessionAsync(Request(), cancel.Token);
        await Server.NextRequestAsync();
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => create.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<OperationCanceledException>();
        await Server.Aborted.WaitAsync(TimeSpan.FromSeconds(30));
        Server.Requests.Should().HaveCount(1, "a cancelled call is not retried");
        AllLogText().Should().Contain("cancelled by the caller");
    }

    [Fact]
    public async Task Cancelling_during_a_backoff_stops_the_retries()
    {
        var time = new TimerObservingTimeProvider();
        Server.DefaultAnswer = _ => new ScriptedAnswer(503);
        using BeyondPresenceApi api = Api(o => o.RetryBaseDelay = TimeSpan.FromSeconds(1), time);
        using var cancel = new CancellationTokenSource();

        Task<BeyondPresenceSession> create = api.CreateSessionAsync(Request(), cancel.Token);
        await Server.NextRequestAsync();
        while (await time.NextTimerAsync() != TimeSpan.FromSeconds(1))
        {
            // The attempt timeout's timer is armed first; the backoff's is the one of 1 s.
        }

        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => create.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<OperationCanceledException>();
        Server.Requests.Should().HaveCount(1);
    }
}
