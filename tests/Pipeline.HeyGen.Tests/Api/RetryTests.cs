using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>Transient failures are retried with backoff on calls that cannot open a second session, and never on
/// session creation. Time is a fake clock the tests advance; nothing sleeps.</summary>
public sealed class RetryTests : EmulatorTest
{
    private readonly TimerObservingTimeProvider _time = new();

    /// <summary>A client with 1 s exponential backoff, no jitter and no attempt timeout (so every timer is a retry delay).</summary>
    private HeyGenApi TimedHeyGen(int maxRetries = 3) => HeyGen(o =>
    {
        o.Retry.MaxRetryAttempts = maxRetries;
        o.Retry.BaseDelay = TimeSpan.FromSeconds(1);
        o.Retry.UseJitter = false;
        o.AttemptTimeout = Timeout.InfiniteTimeSpan;
    }, _time);

    [Fact]
    public async Task Start_answered_429_is_retried_after_the_Retry_After_delay()
    {
        var api = TimedHeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.Status(429, retryAfter: TimeSpan.FromSeconds(7)));

        var newSession = api.NewSessionAsync(new NewSessionRequest());
        var delay = await _time.NextTimerAsync();

        delay.Should().Be(TimeSpan.FromSeconds(7), "Retry-After overrides the 1 s backoff");
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingStart).Should().Be(1);
        newSession.IsCompleted.Should().BeFalse();
        _time.Advance(delay);
        var session = await newSession;

        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingStart).Should().Be(2);
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingNew).Should().Be(1);
        Logs.Lines.Should().Contain(l => l.Message.Contains("streaming.start attempt 1 failed (HTTP 429); retrying in 7000 ms"));
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Stop_answered_503_is_retried_with_exponential_backoff()
    {
        var api = TimedHeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStop, EmulatedFault.Status(503), times: 3);

        var close = api.CloseSessionAsync(session.SessionId);
        var delays = new[] { await _time.AdvanceToNextTimerAsync(), await _time.AdvanceToNextTimerAsync(), await _time.AdvanceToNextTimerAsync() };
        await close;

        delays.Should().Equal(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingStop).Should().Be(4);
        Emulator.FindSession(session.SessionId)!.IsOpen.Should().BeFalse();
    }

    [Fact]
    public async Task Keep_alive_create_token_and_list_are_retried_on_503()
    {
        var api = HeyGen();
        var session = await api.NewSessionAsync(new NewSessionRequest());
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingKeepAlive, EmulatedFault.Status(503));
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(503));
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingList, EmulatedFault.Status(503));

        await api.KeepAliveAsync(session.SessionId);
        await api.CreateTokenAsync();
        await api.ListSessionsAsync();

        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingKeepAlive).Should().Be(2);
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingCreateToken).Should().Be(2);
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingList).Should().Be(2);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    [InlineData(500)]
    public async Task New_is_never_retried(int status)
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.Status(status), times: 5);

        var act = () => api.NewSessionAsync(new NewSessionRequest());

        (await act.Should().ThrowAsync<HeyGenApiException>()).Which.Status.Should().Be(status);
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingNew).Should().Be(1);
        Emulator.Sessions.OpenedCount.Should().Be(0);
    }

    [Fact]
    public async Task New_is_not_retried_after_a_dropped_connection()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.DropConnection());

        var act = () => api.NewSessionAsync(new NewSessionRequest());

        var ex = (await act.Should().ThrowAsync<HeyGenApiException>()).Which;
        ex.Status.Should().Be(0, "no response arrived");
        ex.Message.Should().Contain("no response").And.Contain("1 attempt");
        ex.InnerException.Should().BeOfType<HttpRequestException>();
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingNew).Should().Be(1);
    }

    [Fact]
    public async Task A_dropped_connection_on_start_is_retried()
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingStart, EmulatedFault.DropConnection());

        var session = await api.NewSessionAsync(new NewSessionRequest());

        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingStart).Should().Be(2);
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried()
    {
        var api = HeyGen(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(5);
            o.Retry.BaseDelay = TimeSpan.FromSeconds(1);
        }, _time);
        var session = await CreateWithoutTimersAsync();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingKeepAlive, EmulatedFault.Delayed(TimeSpan.FromHours(1)));

        var keepAlive = api.KeepAliveAsync(session);
        await Emulator.Requests.WaitForAsync(EmulatorEndpoint.StreamingKeepAlive, 1);
        (await _time.AdvanceToNextTimerAsync()).Should().Be(TimeSpan.FromSeconds(5), "the first timer is the attempt timeout");
        (await _time.AdvanceToNextTimerAsync()).Should().Be(TimeSpan.FromSeconds(1), "then the retry delay");
        await keepAlive;

        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingKeepAlive).Should().Be(2);
        Emulator.FindSession(session)!.KeepAliveCount.Should().Be(1);
        Logs.Lines.Should().Contain(l => l.Message.Contains("attempt 1 failed (TimeoutRejectedException)"));
        await api.CloseSessionAsync(session);
    }

    [Fact]
    public async Task When_retries_run_out_the_last_failure_is_thrown()
    {
        var api = HeyGen(o => o.Retry.MaxRetryAttempts = 2);
        var session = await api.NewSessionAsync(new NewSessionRequest());
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingKeepAlive, EmulatedFault.Status(503), times: 10);

        var act = () => api.KeepAliveAsync(session.SessionId);

        (await act.Should().ThrowAsync<HeyGenApiException>()).Which.Status.Should().Be(503);
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingKeepAlive).Should().Be(3);
        Emulator.Faults.Clear();
        await api.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_cap_fails_instead_of_waiting()
    {
        var api = HeyGen(o => o.Retry.MaxRetryAfter = TimeSpan.FromSeconds(30));
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(429, retryAfter: TimeSpan.FromMinutes(5)));

        var act = () => api.CreateTokenAsync();

        (await act.Should().ThrowAsync<HeyGenApiException>()).Which.Status.Should().Be(429);
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingCreateToken).Should().Be(1);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(501)]
    public async Task Client_errors_are_not_retried(int status)
    {
        var api = HeyGen();
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(status));

        var act = () => api.CreateTokenAsync();

        (await act.Should().ThrowAsync<HeyGenApiException>()).Which.Status.Should().Be(status);
        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingCreateToken).Should().Be(1);
    }

    [Fact]
    public async Task Retrying_can_be_switched_off()
    {
        var api = HeyGen(o => o.Retry.MaxRetryAttempts = 0);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingCreateToken, EmulatedFault.Status(503));

        await api.Invoking(a => a.CreateTokenAsync()).Should().ThrowAsync<HeyGenApiException>();

        Emulator.Requests.CountFor(EmulatorEndpoint.StreamingCreateToken).Should().Be(1);
    }

    /// <summary>Creates a session with a separate client on the system clock, so the test's fake clock sees only
    /// the timers of the call under test.</summary>
    private async Task<string> CreateWithoutTimersAsync() => (await HeyGen().NewSessionAsync(new NewSessionRequest())).SessionId;
}
