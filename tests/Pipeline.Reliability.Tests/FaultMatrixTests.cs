using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Realtime;
using Xunit.Abstractions;

namespace Pipeline.Reliability.Tests;

/// <summary>Runs one row of <see cref="FaultMatrix"/>: inject the fault at its step, drive a session, check the documented outcome.</summary>
internal static class FaultScenario
{
    private const int Rate = 24_000;
    private static readonly TimeSpan Emulated = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(FaultCase c, ITestOutputHelper output)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using AvatarHarness h = await AvatarHarness.CreateAsync(liveAvatar: c.Product == Product.LiveAvatar, harness: AvatarHarnessOptions.Reliability);
        bool failed = true;
        try
        {
            await RunCoreAsync(h, c);
            failed = false;
        }
        finally
        {
            output.WriteLine($"{c}: {started.ElapsedMilliseconds} ms wall, {h.Errors.Count} error frame(s)");
            foreach (ErrorFrame e in h.Errors)
            {
                output.WriteLine($"  error{(e.IsFatal ? " (fatal)" : string.Empty)}: {e.Message}");
            }

            foreach (CapturedLog line in h.Logs.Lines.Where(l => failed || l.Level is LogLevel.Warning or LogLevel.Error))
            {
                output.WriteLine($"  log: {line.Level} {line.Category}: {line.Message}{(line.Exception is null ? string.Empty : " | " + line.Exception)}");
            }
        }
    }

    private static async Task RunCoreAsync(AvatarHarness h, FaultCase c)
    {
        bool persistent = !(c.Outcome == Outcome.Recovers || (c.Step == LifeStep.KeepAlive && c.Outcome == Outcome.ErrorAndContinues));
        int times = persistent ? 50 : 1;
        switch (c.Step)
        {
            case LifeStep.New or LifeStep.Start:
                h.Emulator.Faults.Inject(EndpointOf(c.Product, c.Step), HttpFault(c.Fault), times);
                break;
            case LifeStep.WebSocketConnect:
                h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingRealtime, HttpFault(c.Fault), times);
                break;
            case LifeStep.MediaConnect:
                h.Emulator.Faults.Inject(EmulatorEndpoint.MediaRoomJoin, MediaFault(c.Fault), times);
                break;
            default:
                break;
        }

        h.Start();
        if (c.Outcome == Outcome.FatalAtStart)
        {
            (_, PipelineException? failure) = await FinishAsync(h);
            failure.Should().NotBeNull("a start failure ends the run with a fatal error");
            failure!.Error.IsFatal.Should().BeTrue();
            failure.Error.Message.Should().Contain(StepPhrase(c.Step)).And.ContainEquivalentOf(c.Cause);
            h.Errors.Should().ContainSingle(e => e.IsFatal);
            if (c.Step == LifeStep.New && c.Fault == Fault.AnswerAfterTimeout)
            {
                h.Emulator.Sessions.OpenedCount.Should().Be(1, "the service opened a session, then answered late");
                failure.Error.Message.Should().Contain("which was closed", "the late answer's session is stopped, and the error says so");
            }
            else if (c.Step == LifeStep.New)
            {
                h.Emulator.Sessions.OpenedCount.Should().Be(0, "no session was created");
            }

            CheckNoLeaks(h);
            return;
        }

        if (c.Step == LifeStep.Start)
        {
            // Retries wait on the clock.
            await h.AdvanceUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), Emulated, "the session starting", TimeSpan.FromMilliseconds(50));
        }
        else
        {
            await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session starting");
        }

        string sessionId = h.Service.SessionId!;
        RealtimeSessionContext realtime = h.Realtime;
        RealtimeEventRecorder recorder = realtime.Recorder;
        await h.QueueAsync(new OutputTransportReadyFrame());
        byte[] u1 = Speech.Make(TimeSpan.FromSeconds(2), Rate);
        byte[] u2 = Speech.Make(TimeSpan.FromSeconds(1), Rate);
        bool u1Deliberate = false; // audio dropped by the pipeline's own choice (interruption, cancel)
        bool u1Spoken = c.Step is not LifeStep.KeepAlive;
        bool expectU2 = true;

        switch (c.Step)
        {
            case LifeStep.Start:
                h.Emulator.Faults.Pending(EndpointOf(c.Product, LifeStep.Start)).Should().Be(0, "the injected start fault was hit");
                await SpeakAsync(h, "u1", u1);
                expectU2 = false;
                break;

            case LifeStep.MidUtterance when c.Fault is Fault.WebSocketDrop or Fault.WebSocketDropNoReconnect:
                if (c.Fault == Fault.WebSocketDropNoReconnect)
                {
                    // Every reconnect attempt is refused.
                    h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingRealtime, EmulatedFault.Status(503), times: 50);
                }

                realtime.Faults.DropAfterMessages = recorder.Events.Count + 2;
                await h.QueueAsync([new TTSStartedFrame { ContextId = "u1" }, .. Speech.TtsFrames(u1, Rate, "u1")]);
                if (c.Outcome == Outcome.FatalMidSession)
                {
                    expectU2 = false;
                    break;
                }

                await h.AdvanceUntilAsync(() => h.Errors.Any(e => e.Message.Contains(c.Cause, StringComparison.Ordinal)), Emulated, "the lost audio being reported");
                await h.QueueAsync(new TTSStoppedFrame { ContextId = "u1" });
                await h.AdvanceUntilAsync(() => realtime.ConnectionCount >= 2, Emulated, "the websocket reconnecting");
                break;

            case LifeStep.MidUtterance:
                await h.QueueAsync([new TTSStartedFrame { ContextId = "u1" }, .. Speech.TtsFrames(u1, Rate, "u1")]);
                await h.AdvanceUntilAsync(() => recorder.OfType("agent.speak").Count >= 1, Emulated, "speech reaching the avatar");
                realtime.SendToClient(c.Fault == Fault.MalformedWebSocketMessage
                    ? "{\"type\": \"agent.speak_started\", \"event_id\": "
                    : "{\"type\": \"emulator.mystery_event\", \"event_id\": \"x\"}");
                await h.QueueAsync(new TTSStoppedFrame { ContextId = "u1" });
                await h.AdvanceUntilAsync(() => h.Logs.Lines.Any(l => l.FullText.Contains(c.Cause, StringComparison.Ordinal)), Emulated, "the message being logged");
                await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), Emulated, "the avatar finishing u1");
                break;

            case LifeStep.Interrupt:
                u1Deliberate = true;
                if (c.Fault == Fault.WebSocketDropNoReconnect)
                {
                    // Every reconnect attempt is refused.
                    h.Emulator.Faults.Inject(EmulatorEndpoint.StreamingRealtime, EmulatedFault.Status(503), times: 50);
                }

                await h.QueueAsync([new TTSStartedFrame { ContextId = "u1" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(6), Rate), Rate, "u1")]);
                await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), Emulated, "the avatar talking");
                // The socket drops as soon as the interrupt has arrived (dropping "after the next message" raced with
                // a paced speak chunk that could be that message).
                await h.QueueAsync(new InterruptionFrame());
                await h.AdvanceUntilAsync(() => recorder.OfType("agent.interrupt").Count == 1, Emulated, "the interrupt reaching the avatar");
                realtime.DropConnection();
                if (c.Outcome == Outcome.FatalMidSession)
                {
                    expectU2 = false;
                    break;
                }

                await h.AdvanceUntilAsync(() => realtime.ConnectionCount >= 2, Emulated, "the websocket reconnecting");
                break;

            case LifeStep.KeepAlive:
                h.Emulator.Faults.Inject(EndpointOf(c.Product, LifeStep.KeepAlive), HttpFault(c.Fault), times);
                EmulatedSession session = h.Emulator.Sessions.Find(sessionId)!;
                await h.AdvanceUntilAsync(() => h.Emulator.Faults.Pending(EndpointOf(c.Product, LifeStep.KeepAlive)) == 0 && session.KeepAliveCount >= 1,
                    Emulated, "a keep-alive getting through after the fault", TimeSpan.FromMilliseconds(50));
                break;

            case LifeStep.End:
                await SpeakAsync(h, "u1", u1);
                expectU2 = false;
                h.Emulator.Faults.Inject(EndpointOf(c.Product, LifeStep.End), HttpFault(c.Fault), times);
                await h.QueueAsync(new EndFrame());
                break;

            case LifeStep.Cancel:
                u1Deliberate = true;
                expectU2 = false;
                await h.QueueAsync([new TTSStartedFrame { ContextId = "u1" }, .. Speech.TtsFrames(u1, Rate, "u1")]);
                await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), Emulated, "the avatar talking");
                h.Emulator.Faults.Inject(EndpointOf(c.Product, LifeStep.Cancel), HttpFault(c.Fault), times);
                h.Task.Cancel();
                break;

            default:
                throw new InvalidOperationException($"No scenario for {c}.");
        }

        if (expectU2)
        {
            // The session still works: a whole new utterance reaches the avatar and is played.
            await SpeakAsync(h, "u2", u2);
            recorder.AudioOf("u2").Length.Should().Be(u2.Length, "speech after the fault is delivered in full");
        }

        if (c.Step is not LifeStep.End and not LifeStep.Cancel && c.Outcome != Outcome.FatalMidSession)
        {
            await h.QueueAsync(new EndFrame());
        }

        (PipelineFinishReason? reason, PipelineException? runFailure) = await FinishAsync(h);
        switch (c.Outcome)
        {
            case Outcome.FatalMidSession:
                runFailure.Should().NotBeNull("the fault is fatal");
                runFailure!.Error.Message.Should().Contain(c.Cause);
                break;
            case Outcome.Recovers or Outcome.IgnoredAndLogged:
                runFailure.Should().BeNull();
                h.Logs.Lines.Should().Contain(l => l.FullText.Contains(c.Cause, StringComparison.Ordinal), "the fault is logged");
                reason.Should().Be(c.Step == LifeStep.Cancel ? PipelineFinishReason.Cancelled : PipelineFinishReason.Ended);
                h.Errors.Should().BeEmpty("the fault was absorbed");
                break;
            case Outcome.ErrorAndContinues:
                runFailure.Should().BeNull();
                reason.Should().Be(PipelineFinishReason.Ended);
                h.Errors.Should().Contain(e => !e.IsFatal && e.Message.Contains(c.Cause, StringComparison.OrdinalIgnoreCase));
                h.Errors.Should().NotContain(e => e.IsFatal);
                break;
            case Outcome.CloseFailsSessionIdlesOut:
                runFailure.Should().BeNull();
                reason.Should().Be(c.Step == LifeStep.Cancel ? PipelineFinishReason.Cancelled : PipelineFinishReason.Ended);
                h.Errors.Should().ContainSingle().Which.Message.Should().Contain("Could not close HeyGen session").And.ContainEquivalentOf(c.Cause);
                h.Emulator.Sessions.Open.Should().ContainSingle("the stop did not reach HeyGen");
                h.Task.RunningTaskCount.Should().Be(0);
                // The service ends it after its idle timeout (HeyGen 120 s, LiveAvatar 300 s): billed until then, never forever.
                EmulatedSession left = h.Emulator.Sessions.Open[0];
                await h.AdvanceUntilAsync(() => !left.IsOpen, TimeSpan.FromMinutes(c.Product == Product.LiveAvatar ? 6 : 3), "the emulator's idle timeout", TimeSpan.FromSeconds(1));
                left.StopReason.Should().Be("IDLE_TIMEOUT");
                break;
            default:
                throw new InvalidOperationException($"Unexpected outcome {c.Outcome}.");
        }

        if (c.Outcome == Outcome.Recovers && c.Step is LifeStep.KeepAlive or LifeStep.End or LifeStep.Cancel)
        {
            h.Emulator.Faults.Pending(EndpointOf(c.Product, c.Step)).Should().Be(0, "the injected fault was hit and retried");
        }

        // No audio dropped without an error: whatever did not reach the avatar is named in an ErrorFrame.
        foreach ((string id, int length, bool deliberate) in new[] { ("u1", u1Spoken ? u1.Length : -1, u1Deliberate), ("u2", expectU2 ? u2.Length : -1, false) })
        {
            if (length < 0 || deliberate)
            {
                continue;
            }

            int received = recorder.AudioOf(id).Length;
            if (received < length)
            {
                h.Errors.Should().Contain(e => e.Message.Contains(id, StringComparison.Ordinal),
                    $"{length - received} bytes of {id} did not reach the avatar, so an error must say so");
            }
        }

        CheckNoLeaks(h);
    }

    /// <summary>Waits for the run to end: why it ended, or the fatal error it failed with (anything else is rethrown).</summary>
    internal static async Task<(PipelineFinishReason? Reason, PipelineException? Failure)> FinishAsync(AvatarHarness h)
    {
        PipelineFinish finish = await h.EndAsync();
        switch (finish.Exception)
        {
            case null:
                return (finish.Reason, null);
            case PipelineException failed:
                return (null, failed);
            default:
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(finish.Exception);
                return default;
        }
    }

    private static async Task SpeakAsync(AvatarHarness h, string id, byte[] pcm)
    {
        // An earlier utterance may still be playing (after a websocket drop its end comes late): its BotStopped must
        // not be taken for this one's, so start only once the avatar is quiet and the pipeline has seen it stop.
        await h.AdvanceUntilAsync(
            () => h.Realtime.AvatarState != "talking" && h.AtEnd.OfType<BotStartedSpeakingFrame>().Count() == h.AtEnd.OfType<BotStoppedSpeakingFrame>().Count(),
            Emulated, $"the avatar being quiet before {id}");
        int stoppedBefore = h.AtEnd.OfType<BotStoppedSpeakingFrame>().Count();
        await h.QueueAsync([new TTSStartedFrame { ContextId = id }, .. Speech.TtsFrames(pcm, Rate, id), new TTSStoppedFrame { ContextId = id }]);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStoppedSpeakingFrame>().Count() > stoppedBefore, Emulated, $"the avatar finishing {id}");
    }

    private static void CheckNoLeaks(AvatarHarness h)
    {
        h.Emulator.Sessions.Open.Should().BeEmpty("no session is left open");
        h.Task.RunningTaskCount.Should().Be(0, "no task is left running");
    }

    private static EmulatorEndpoint EndpointOf(Product product, LifeStep step) => (product, step) switch
    {
        (Product.HeyGen, LifeStep.New) => EmulatorEndpoint.StreamingNew,
        (Product.HeyGen, LifeStep.Start) => EmulatorEndpoint.StreamingStart,
        (Product.HeyGen, LifeStep.KeepAlive) => EmulatorEndpoint.StreamingKeepAlive,
        (Product.HeyGen, _) => EmulatorEndpoint.StreamingStop,
        (_, LifeStep.New) => EmulatorEndpoint.LiveAvatarToken,
        (_, LifeStep.Start) => EmulatorEndpoint.LiveAvatarStart,
        (_, LifeStep.KeepAlive) => EmulatorEndpoint.LiveAvatarKeepAlive,
        _ => EmulatorEndpoint.LiveAvatarStop,
    };

    public static string StepPhrase(LifeStep step) => step switch
    {
        LifeStep.New or LifeStep.Start => "failed to open the session",
        LifeStep.WebSocketConnect => "failed to connect the realtime websocket",
        LifeStep.MediaConnect => "failed to join the avatar's room",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "Not a start step."),
    };

    private static EmulatedFault HttpFault(Fault fault) => fault switch
    {
        Fault.Http400 => EmulatedFault.Status(400),
        Fault.Http401 => EmulatedFault.Status(401),
        Fault.Http429 => EmulatedFault.Status(429),
        Fault.Http500 => EmulatedFault.Status(500),
        Fault.Http503 => EmulatedFault.Status(503),
        Fault.DelayPastTimeout => EmulatedFault.Delayed(TimeSpan.FromMinutes(5)),

        // Within the cleanup budget after the attempt timeout (both AvatarHarnessOptions.IoTimeout, 10 s).
        Fault.AnswerAfterTimeout => EmulatedFault.DelayResponse(AvatarHarnessOptions.IoTimeout + TimeSpan.FromSeconds(5)),
        Fault.ConnectionReset => EmulatedFault.DropConnection(),
        Fault.MalformedBody => EmulatedFault.MalformedBody(),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "Not an HTTP fault."),
    };

    /// <summary>The room join refused, or never answering until the service's own timeout.</summary>
    private static EmulatedFault MediaFault(Fault fault) => fault switch
    {
        Fault.MediaConnectFailure => EmulatedFault.Status(403),
        Fault.DelayPastTimeout => EmulatedFault.Delayed(TimeSpan.FromMinutes(5)),
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "Not a room-join fault."),
    };
}

/// <summary>Rows of <see cref="FaultMatrix"/> for one part of a session's life (a class each, so they run in parallel).</summary>
public sealed class FaultMatrixOpeningTheSessionTests(ITestOutputHelper output)
{
    public static TheoryData<Product, LifeStep, Fault> Rows => FaultMatrixTests.Rows(Product.HeyGen, s => s is LifeStep.New or LifeStep.Start);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task A_fault_while_the_session_opens_behaves_as_documented(Product product, LifeStep step, Fault fault) =>
        FaultScenario.RunAsync(FaultMatrixTests.Find(product, step, fault), output);
}

/// <summary>Rows of <see cref="FaultMatrix"/> for one part of a session's life (a class each, so they run in parallel).</summary>
public sealed class FaultMatrixConnectingTheSessionTests(ITestOutputHelper output)
{
    public static TheoryData<Product, LifeStep, Fault> Rows => FaultMatrixTests.Rows(Product.HeyGen, s => s is LifeStep.WebSocketConnect or LifeStep.MediaConnect);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task A_fault_while_the_session_connects_behaves_as_documented(Product product, LifeStep step, Fault fault) =>
        FaultScenario.RunAsync(FaultMatrixTests.Find(product, step, fault), output);
}

/// <summary>Rows of <see cref="FaultMatrix"/> for one part of a session's life (a class each, so they run in parallel).</summary>
public sealed class FaultMatrixSpeakingTests(ITestOutputHelper output)
{
    public static TheoryData<Product, LifeStep, Fault> Rows => FaultMatrixTests.Rows(Product.HeyGen, s => s is LifeStep.MidUtterance or LifeStep.Interrupt);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task A_fault_while_the_avatar_speaks_behaves_as_documented(Product product, LifeStep step, Fault fault) =>
        FaultScenario.RunAsync(FaultMatrixTests.Find(product, step, fault), output);
}

/// <summary>Rows of <see cref="FaultMatrix"/> for one part of a session's life (a class each, so they run in parallel).</summary>
public sealed class FaultMatrixKeepingAliveTests(ITestOutputHelper output)
{
    public static TheoryData<Product, LifeStep, Fault> Rows => FaultMatrixTests.Rows(Product.HeyGen, s => s is LifeStep.KeepAlive);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task A_fault_in_a_keep_alive_behaves_as_documented(Product product, LifeStep step, Fault fault) =>
        FaultScenario.RunAsync(FaultMatrixTests.Find(product, step, fault), output);
}

/// <summary>Rows of <see cref="FaultMatrix"/> for one part of a session's life (a class each, so they run in parallel).</summary>
public sealed class FaultMatrixEndingTests(ITestOutputHelper output)
{
    public static TheoryData<Product, LifeStep, Fault> Rows => FaultMatrixTests.Rows(Product.HeyGen, s => s is LifeStep.End);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task A_fault_while_the_session_ends_behaves_as_documented(Product product, LifeStep step, Fault fault) =>
        FaultScenario.RunAsync(FaultMatrixTests.Find(product, step, fault), output);
}

/// <summary>Rows of <see cref="FaultMatrix"/> for one part of a session's life (a class each, so they run in parallel).</summary>
public sealed class FaultMatrixCancellingTests(ITestOutputHelper output)
{
    public static TheoryData<Product, LifeStep, Fault> Rows => FaultMatrixTests.Rows(Product.HeyGen, s => s is LifeStep.Cancel);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task A_fault_while_the_session_is_cancelled_behaves_as_documented(Product product, LifeStep step, Fault fault) =>
        FaultScenario.RunAsync(FaultMatrixTests.Find(product, step, fault), output);
}

/// <summary>LiveAvatar rows of <see cref="FaultMatrix"/> while the session opens.</summary>
public sealed class FaultMatrixLiveAvatarOpeningTests(ITestOutputHelper output)
{
    public static TheoryData<Product, LifeStep, Fault> Rows => FaultMatrixTests.Rows(Product.LiveAvatar, s => s is LifeStep.New or LifeStep.Start);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task A_fault_while_a_LiveAvatar_session_opens_behaves_as_documented(Product product, LifeStep step, Fault fault) =>
        FaultScenario.RunAsync(FaultMatrixTests.Find(product, step, fault), output);
}

/// <summary>LiveAvatar rows of <see cref="FaultMatrix"/> in keep-alives and while the session ends.</summary>
public sealed class FaultMatrixLiveAvatarRunningTests(ITestOutputHelper output)
{
    public static TheoryData<Product, LifeStep, Fault> Rows => FaultMatrixTests.Rows(Product.LiveAvatar, s => s is not LifeStep.New and not LifeStep.Start);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task A_fault_in_a_running_LiveAvatar_session_behaves_as_documented(Product product, LifeStep step, Fault fault) =>
        FaultScenario.RunAsync(FaultMatrixTests.Find(product, step, fault), output);
}

public sealed class FaultMatrixTests
{
    [Fact]
    public void The_matrix_covers_every_step_and_lists_each_combination_once()
    {
        FaultMatrix.Cases.Select(c => c.Step).Distinct().Should().BeEquivalentTo(Enum.GetValues<LifeStep>());
        FaultMatrix.Cases.Select(c => c.Fault).Distinct().Should().BeEquivalentTo(Enum.GetValues<Fault>());
        FaultMatrix.Cases.Select(c => (c.Product, c.Step, c.Fault)).Should().OnlyHaveUniqueItems();
        FaultMatrix.Cases.Where(c => c.Fault == Fault.AnswerAfterTimeout).Select(c => (c.Product, c.Step)).Should()
            .Contain([(Product.HeyGen, LifeStep.New), (Product.LiveAvatar, LifeStep.New), (Product.LiveAvatar, LifeStep.Start)],
                "every creating call of both products is answered late after the service did the work");
        FaultMatrix.Cases.Should().OnlyContain(c => c.Cause.Length > 0, "every row says what names the fault");
    }

    internal static FaultCase Find(Product product, LifeStep step, Fault fault) =>
        FaultMatrix.Cases.Single(c => c.Product == product && c.Step == step && c.Fault == fault);

    internal static TheoryData<Product, LifeStep, Fault> Rows(Product product, Func<LifeStep, bool> which)
    {
        var data = new TheoryData<Product, LifeStep, Fault>();
        foreach (FaultCase c in FaultMatrix.Cases.Where(c => c.Product == product && which(c.Step)))
        {
            data.Add(c.Product, c.Step, c.Fault);
        }

        return data;
    }
}
