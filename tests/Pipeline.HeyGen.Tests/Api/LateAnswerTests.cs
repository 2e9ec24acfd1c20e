using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Tests.Infrastructure;

namespace Pipeline.HeyGen.Tests.Api;

/// <summary>
/// A creating call (<c>streaming.new</c>, <c>sessions/token</c>) that may have reached the service is never abandoned
/// while its answer can still come: cancelled or timed out, it is awaited within the cleanup budget and the session
/// its late answer names is closed (issue 12, items 2–4). The emulator and the clients share one fake clock.
/// </summary>
public sealed class LateAnswerTests : EmulatorTest
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(20);
    private readonly TimerObservingTimeProvider _clock = new();

    public enum Product
    {
        HeyGen,
        LiveAvatar,
    }

    protected override HeyGenEmulatorOptions EmulatorOptions() => new() { TimeProvider = _clock };

    [Fact]
    public async Task Item2_cancelling_while_LiveAvatar_sessions_token_is_answered_stops_the_session_it_opened()
    {
        var api = LiveAvatar(o => o.CleanupTimeout = TimeSpan.FromSeconds(10), _clock);
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarToken, EmulatedFault.DelayResponse(TimeSpan.FromSeconds(3)));
        using var cts = new CancellationTokenSource();

        var create = api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" }, cts.Token);
        await FakeClockPump.WaitUntilAsync(() => Emulator.Sessions.OpenedCount == 1, "the service opening the session", Hang);
        await cts.CancelAsync();
        await FakeClockPump.AdvanceUntilAsync(_clock, () => create.IsCompleted, TimeSpan.FromSeconds(30), "the cancelled call ending", TimeSpan.FromMilliseconds(100), Hang);

        await create.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        Emulator.Sessions.All.Should().ContainSingle().Which.StopReason.Should().Be("SERVER_ERROR", "the late answer's session was stopped");
        Logs.Lines.Should().Contain(l => l.Message.Contains("answer that came after the caller gave up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_while_LiveAvatar_sessions_start_is_answered_stops_the_session()
    {
        var api = LiveAvatar(o => o.CleanupTimeout = TimeSpan.FromSeconds(10), _clock);
        Emulator.Faults.Inject(EmulatorEndpoint.LiveAvatarStart, EmulatedFault.DelayResponse(TimeSpan.FromSeconds(3)));
        using var cts = new CancellationTokenSource();

        var create = api.NewSessionAsync(new LiveAvatarNewSessionRequest { AvatarId = "a-1" }, cts.Token);
        await FakeClockPump.WaitUntilAsync(() => Emulator.Sessions.StartedCount == 1, "the service starting the session", Hang);
        await cts.CancelAsync();
        await FakeClockPump.AdvanceUntilAsync(_clock, () => create.IsCompleted, TimeSpan.FromSeconds(30), "the cancelled call ending", TimeSpan.FromMilliseconds(100), Hang);

        await create.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        Emulator.Sessions.All.Should().ContainSingle().Which.StopReason.Should().Be("SERVER_ERROR");
    }

    [Theory]
    [InlineData(Product.HeyGen)]
    [InlineData(Product.LiveAvatar)]
    public async Task Item3_a_create_answered_after_the_attempt_timeout_closes_the_session_the_answer_names(Product product)
    {
        BaseAvatarApi api = Client(product, attempt: TimeSpan.FromSeconds(1), cleanup: TimeSpan.FromSeconds(10));
        Emulator.Faults.Inject(CreateEndpoint(product), EmulatedFault.DelayResponse(TimeSpan.FromSeconds(1.5)));

        var create = api.NewSessionAsync(Request(product));
        await FakeClockPump.AdvanceUntilAsync(_clock, () => create.IsCompleted, TimeSpan.FromSeconds(30), "the late call ending", TimeSpan.FromMilliseconds(50), Hang);

        var error = (await create.Invoking(t => t).Should().ThrowAsync<HeyGenApiException>()).Which;
        error.Message.Should().Contain("no answer within the attempt timeout (1000 ms)").And.Contain("which was closed");
        error.Operation.Should().Be(product == Product.HeyGen ? "streaming.new" : "sessions/token");
        Emulator.Sessions.OpenedCount.Should().Be(1, "the service did open a session");
        Emulator.Sessions.Open.Should().BeEmpty("the session the late answer named was closed");
    }

    [Fact]
    public async Task Item3_a_create_not_answered_within_the_cleanup_budget_either_names_the_risk_and_the_way_out()
    {
        var api = HeyGen(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.CleanupTimeout = TimeSpan.FromSeconds(2);
        }, _clock);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew, EmulatedFault.DelayResponse(TimeSpan.FromHours(1)));

        var create = api.NewSessionAsync(new NewSessionRequest());
        await FakeClockPump.AdvanceUntilAsync(_clock, () => create.IsCompleted, TimeSpan.FromSeconds(30), "the call giving up", TimeSpan.FromMilliseconds(50), Hang);

        var error = (await create.Invoking(t => t).Should().ThrowAsync<HeyGenApiException>()).Which;
        error.Message.Should().Contain("cleanup budget (2000 ms)").And.Contain("may have opened a session that stays billed")
            .And.Contain("CloseLeakedSessionsAsync");
        Emulator.Sessions.Open.Should().ContainSingle("the answer never came, as the error warns");

        // The way out the error names.
        (await api.CloseLeakedSessionsAsync(TimeSpan.Zero)).Should().ContainSingle();
    }

    [Fact]
    public async Task Item4_a_cancelled_create_whose_answer_fails_later_leaves_no_unobserved_task_exception()
    {
        string marker = "late-failure-" + Guid.NewGuid().ToString("N");
        var unobserved = new List<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.ToString().Contains(marker, StringComparison.Ordinal))
            {
                lock (unobserved)
                {
                    unobserved.Add(e.Exception);
                }
            }
        }

        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var http = new HttpClient(new SignallingHandler(answered)) { Timeout = Timeout.InfiniteTimeSpan };
        var api = HeyGen(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.CleanupTimeout = TimeSpan.FromSeconds(1);
        }, _clock, http);
        Emulator.Faults.Inject(EmulatorEndpoint.StreamingNew,
            EmulatedFault.Status(500, $$"""{"code":500,"message":"{{marker}}"}""") with { Delay = TimeSpan.FromSeconds(5) });
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await CancelWhileAnsweringAsync(api, answered.Task);

            // Whatever the library started has ended; collect it so an unobserved failure would be reported.
            for (int i = 0; i < 50 && unobserved.Count == 0; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Task.Delay(10);
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        unobserved.Should().BeEmpty("every task the client starts is awaited to its end");
        Emulator.Sessions.OpenedCount.Should().Be(0);
    }

    // A method of its own, so that once it returns nothing the test holds keeps the client's tasks reachable.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task CancelWhileAnsweringAsync(HeyGenApi api, Task answered)
    {
        using var cts = new CancellationTokenSource();
        var create = api.NewSessionAsync(new NewSessionRequest(), cts.Token);
        await Emulator.Requests.WaitForAsync(EmulatorEndpoint.StreamingNew, 1).WaitAsync(Hang);
        await cts.CancelAsync();
        await FakeClockPump.AdvanceUntilAsync(_clock, () => create.IsCompleted && answered.IsCompleted, TimeSpan.FromSeconds(30),
            "the request ending", TimeSpan.FromMilliseconds(50), Hang);
        await create.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
    }

    private BaseAvatarApi Client(Product product, TimeSpan attempt, TimeSpan cleanup) => product == Product.HeyGen
        ? HeyGen(o =>
        {
            o.AttemptTimeout = attempt;
            o.CleanupTimeout = cleanup;
        }, _clock)
        : LiveAvatar(o =>
        {
            o.AttemptTimeout = attempt;
            o.CleanupTimeout = cleanup;
        }, _clock);

    private static EmulatorEndpoint CreateEndpoint(Product product) =>
        product == Product.HeyGen ? EmulatorEndpoint.StreamingNew : EmulatorEndpoint.LiveAvatarToken;

    private static AvatarSessionRequest Request(Product product) =>
        product == Product.HeyGen ? new NewSessionRequest() : new LiveAvatarNewSessionRequest { AvatarId = "a-1" };

    /// <summary>Signals when the HTTP exchange has ended (answered or aborted).</summary>
    private sealed class SignallingHandler(TaskCompletionSource ended) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                ended.TrySetResult();
            }
        }
    }
}
