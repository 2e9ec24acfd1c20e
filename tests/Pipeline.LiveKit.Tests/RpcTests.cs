namespace Pipeline.LiveKit.Tests;

/// <summary>
/// RPC over real WebRTC: alice calls methods bob registered; the loopback SFU relays the request, acknowledgement
/// and response packets between the two engines as a LiveKit server would.
/// </summary>
public sealed class RpcTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_call_returns_the_handlers_answer_and_errors_come_back_with_their_codes()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar"))
        {
            await using var alice = new Room(TestLogging.Factory);
            await using var bob = new Room(TestLogging.Factory);
            await alice.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
            await bob.ConnectAsync(sfu.Url, "identity:bob", Options, timeout.Token);
            RpcInvocation? seen = null;
            bob.LocalParticipant!.RegisterRpcMethod("echo", invocation =>
            {
                seen = invocation;
                return Task.FromResult($"{invocation.Method} from {invocation.CallerIdentity}: {invocation.Payload}");
            });
            bob.LocalParticipant.RegisterRpcMethod("refuse", _ => throw new LiveKitRpcException(1042, "not today", "try tomorrow"));
            bob.LocalParticipant.RegisterRpcMethod("crash", _ => throw new InvalidOperationException("secret internals"));
            string payload = "{\"text\":\"héllo\"}" + new string('x', 10_000);

            string answer = await alice.LocalParticipant!.PerformRpcAsync("bob", "echo", payload, cancellationToken: timeout.Token);

            answer.Should().Be($"echo from alice: {payload}");
            seen!.RequestId.Should().NotBeNullOrEmpty();
            seen.ResponseTimeout.Should().BePositive();

            LiveKitRpcException refused = await Call(alice, "refuse");
            refused.Code.Should().Be(1042, "a handler's own error code reaches the caller");
            refused.RpcMessage.Should().Be("not today");
            refused.ErrorData.Should().Be("try tomorrow");

            LiveKitRpcException crashed = await Call(alice, "crash");
            crashed.Code.Should().Be(RpcErrorCodes.ApplicationError);
            crashed.RpcMessage.Should().NotContain("secret internals", "an exception's text stays in the callee's log");

            LiveKitRpcException unknown = await Call(alice, "no-such-method");
            unknown.Code.Should().Be(RpcErrorCodes.UnsupportedMethod);

            bob.LocalParticipant.UnregisterRpcMethod("echo");
            (await Call(alice, "echo")).Code.Should().Be(RpcErrorCodes.UnsupportedMethod, "an unregistered method is not answered any more");
            bob.LocalParticipant.RegisterRpcMethod("echo", invocation => Task.FromResult(invocation.Payload.ToUpperInvariant()));
            (await alice.LocalParticipant.PerformRpcAsync("bob", "echo", "again", cancellationToken: timeout.Token)).Should().Be("AGAIN");
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore, "the rooms release their participant handles");

        async Task<LiveKitRpcException> Call(Room caller, string method)
        {
            Func<Task> call = () => caller.LocalParticipant!.PerformRpcAsync("bob", method, "?", cancellationToken: timeout.Token);
            return (await call.Should().ThrowAsync<LiveKitRpcException>()).Which;
        }
    }

    [Fact]
    public async Task A_hundred_calls_in_quick_succession_are_all_answered_in_kind()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget * 2);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar"))
        {
            await using var alice = new Room(TestLogging.Factory);
            await using var bob = new Room(TestLogging.Factory);
            await alice.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
            await bob.ConnectAsync(sfu.Url, "identity:bob", Options, timeout.Token);
            bob.LocalParticipant!.RegisterRpcMethod("square", invocation =>
            {
                int n = int.Parse(invocation.Payload, System.Globalization.CultureInfo.InvariantCulture);
                return Task.FromResult((n * n).ToString(System.Globalization.CultureInfo.InvariantCulture));
            });

            // All in flight at once: each answer must reach the call that asked for it.
            Task<string>[] calls = [.. Enumerable.Range(0, 100).Select(n =>
                alice.LocalParticipant!.PerformRpcAsync("bob", "square", n.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: timeout.Token))];
            string[] answers = await Task.WhenAll(calls).WaitAsync(timeout.Token);

            answers.Should().Equal(Enumerable.Range(0, 100).Select(n => (n * n).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task A_peer_that_never_answers_or_is_not_there_ends_the_call_with_a_timeout()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar"))
        {
            await using var alice = new Room(TestLogging.Factory);
            await using var bob = new Room(TestLogging.Factory);
            await alice.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
            await bob.ConnectAsync(sfu.Url, "identity:bob", Options, timeout.Token);
            var handlerCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            bob.LocalParticipant!.RegisterRpcMethod("stall", async invocation =>
            {
                using CancellationTokenRegistration _ = invocation.CancellationToken.Register(handlerCancelled.SetResult);
                await Task.Delay(Timeout.InfiniteTimeSpan, invocation.CancellationToken);
                return "too late";
            });

            // The engine bounds both: 1 s for an acknowledged call, 7 s for one nobody acknowledges.
            Func<Task> stalled = () => alice.LocalParticipant!.PerformRpcAsync("bob", "stall", "", TimeSpan.FromSeconds(1), timeout.Token);
            Func<Task> nobody = () => alice.LocalParticipant!.PerformRpcAsync("carol", "stall", "", TimeSpan.FromSeconds(1), timeout.Token);
            Task<FluentAssertions.Specialized.ExceptionAssertions<LiveKitRpcException>> stalledCall = stalled.Should().ThrowAsync<LiveKitRpcException>();
            Task<FluentAssertions.Specialized.ExceptionAssertions<LiveKitRpcException>> nobodyCall = nobody.Should().ThrowAsync<LiveKitRpcException>();

            (await stalledCall).Which.Code.Should().Be(RpcErrorCodes.ResponseTimeout);
            (await nobodyCall).Which.Code.Should().Be(RpcErrorCodes.ConnectionTimeout);
            await handlerCancelled.Task.WaitAsync(timeout.Token); // the stalled handler was told to stop
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_before_anything_is_sent()
    {
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar");
        await using var alice = new Room(TestLogging.Factory);
        await alice.ConnectAsync(sfu.Url, "identity:alice", Options, timeout.Token);
        LocalParticipant local = alice.LocalParticipant!;
        local.RegisterRpcMethod("m", _ => Task.FromResult(""));

        local.Invoking(l => l.RegisterRpcMethod("m", _ => Task.FromResult(""))).Should().Throw<InvalidOperationException>().WithMessage("*already registered*");
        await local.Awaiting(l => l.PerformRpcAsync("bob", "m", new string('x', 16 * 1024))).Should().ThrowAsync<ArgumentException>().WithMessage("*15360*byte stream*");
        await local.Awaiting(l => l.PerformRpcAsync("bob", "m", "", TimeSpan.FromMilliseconds(10))).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await local.Awaiting(l => l.PerformRpcAsync("", "m", "")).Should().ThrowAsync<ArgumentException>();
        await alice.DisposeAsync();
        local.Invoking(l => l.RegisterRpcMethod("n", _ => Task.FromResult(""))).Should().Throw<ObjectDisposedException>();
    }

    private static RoomConnectOptions Options => new() { ConnectTimeout = Budget };
}
