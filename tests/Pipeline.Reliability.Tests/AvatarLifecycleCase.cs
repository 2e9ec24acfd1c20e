using CsCheck;
using Pipeline.HeyGen.Emulator;

namespace Pipeline.Reliability.Tests;

/// <summary>What a step of <see cref="AvatarLifecyclePropertyTests"/> does to the pipeline or the emulator.</summary>
public enum ActionKind
{
    /// <summary>A whole TTS utterance (started, audio, stopped).</summary>
    Utterance,

    /// <summary>TTS started and audio, without the stop.</summary>
    UnfinishedUtterance,

    /// <summary>A TTS stop (of an utterance that may or may not be open).</summary>
    TtsStopped,
    Interruption,

    /// <summary>User started speaking, then stopped.</summary>
    UserTurn,
    End,
    Stop,
    CancelFrame,

    /// <summary><c>PipelineTask.Cancel()</c>.</summary>
    Cancel,

    /// <summary>The RunAsync token cancelled.</summary>
    CancelToken,

    /// <summary><c>PipelineTask.DisposeAsync()</c> while running (not awaited until the end).</summary>
    Dispose,

    /// <summary>The realtime websocket aborted (the client may reconnect).</summary>
    DropWebSocket,

    /// <summary>The realtime websocket aborted and every reconnect refused with 503.</summary>
    DropWebSocketForGood,

    /// <summary>The next stop call(s) refused with 503 or a dropped connection (both retried).</summary>
    StopRefused,

    /// <summary>The next stop call is served but answered after the attempt timeout.</summary>
    StopAnsweredLate,
}

/// <summary>One step: what, after which wait (0 none … 5 ≈ 900 ms), with which utterance number and audio length.</summary>
public sealed record LifeAction(ActionKind Kind, int Timing, int Utterance = 0, int Milliseconds = 100)
{
    public override string ToString() => Kind switch
    {
        ActionKind.Utterance or ActionKind.UnfinishedUtterance => $"{Kind}(u{Utterance},{Milliseconds}ms)/{Timing}",
        ActionKind.TtsStopped => $"{Kind}(u{Utterance})/{Timing}",
        _ => $"{Kind}/{Timing}",
    };
}

/// <summary>Which call a fault injected before the run hits.</summary>
public enum StartCall
{
    /// <summary><c>streaming.new</c> or <c>sessions/token</c>: creates the session, never retried.</summary>
    Create,

    /// <summary><c>streaming.start</c> or <c>sessions/start</c>.</summary>
    Start,

    /// <summary>The realtime websocket upgrade.</summary>
    WebSocket,

    /// <summary>Joining the media room.</summary>
    RoomJoin,
}

/// <summary>What a fault injected before the run does.</summary>
public enum StartFaultKind
{
    Status400,
    Status401,
    Status500,
    Status503,
    DropConnection,

    /// <summary>Served (the session is really created or started) but answered after the attempt timeout, within the
    /// cleanup budget.</summary>
    AnsweredLate,
}

/// <summary>A fault queued on a call before the run starts.</summary>
public sealed record StartFault(StartCall Call, StartFaultKind Kind, int Times)
{
    public EmulatorEndpoint Endpoint(bool liveAvatar) => (Call, liveAvatar) switch
    {
        (StartCall.Create, false) => EmulatorEndpoint.StreamingNew,
        (StartCall.Create, true) => EmulatorEndpoint.LiveAvatarToken,
        (StartCall.Start, false) => EmulatorEndpoint.StreamingStart,
        (StartCall.Start, true) => EmulatorEndpoint.LiveAvatarStart,
        (StartCall.WebSocket, false) => EmulatorEndpoint.StreamingRealtime,
        (StartCall.WebSocket, true) => EmulatorEndpoint.LiveAvatarRealtime,
        _ => EmulatorEndpoint.MediaRoomJoin,
    };

    public EmulatedFault ToEmulated(TimeSpan attemptTimeout) => Kind switch
    {
        StartFaultKind.Status400 => EmulatedFault.Status(400),
        StartFaultKind.Status401 => EmulatedFault.Status(401),
        StartFaultKind.Status500 => EmulatedFault.Status(500),
        StartFaultKind.Status503 => EmulatedFault.Status(503),
        StartFaultKind.DropConnection => EmulatedFault.DropConnection(),
        _ => EmulatedFault.DelayResponse(attemptTimeout * 2),
    };

    public override string ToString() => $"{Call}:{Kind}x{Times}";
}

/// <summary>One generated case of <see cref="AvatarLifecyclePropertyTests"/>: product, faults queued before the run,
/// steps with random timing, and how the caller finally ends the run.</summary>
public sealed record AvatarLifecycleCase(Product Product, StartFault[] StartFaults, LifeAction[] Steps, ActionKind Finish)
{
    private static readonly Gen<LifeAction> GenStep = Gen.Select(
        Gen.Frequency(
            (6, Gen.Const(ActionKind.Utterance)), (2, Gen.Const(ActionKind.UnfinishedUtterance)), (1, Gen.Const(ActionKind.TtsStopped)),
            (3, Gen.Const(ActionKind.Interruption)), (2, Gen.Const(ActionKind.UserTurn)), (1, Gen.Const(ActionKind.End)),
            (1, Gen.Const(ActionKind.Stop)), (1, Gen.Const(ActionKind.CancelFrame)), (1, Gen.Const(ActionKind.Cancel)),
            (1, Gen.Const(ActionKind.CancelToken)), (1, Gen.Const(ActionKind.Dispose)), (2, Gen.Const(ActionKind.DropWebSocket)),
            (1, Gen.Const(ActionKind.DropWebSocketForGood)), (2, Gen.Const(ActionKind.StopRefused)), (1, Gen.Const(ActionKind.StopAnsweredLate))),
        Gen.Int[0, 5],
        Gen.Int[1, 3],
        Gen.Int[20, 600],
        (kind, timing, utterance, ms) => new LifeAction(kind, timing, utterance, ms));

    private static readonly Gen<StartFault> GenStartFault = Gen.Select(
        Gen.Enum<StartCall>(), Gen.Enum<StartFaultKind>(), Gen.Int[1, 3], (call, kind, times) => new StartFault(call, kind, times));

    /// <summary>Most cases open cleanly (so the steps meet a live session); a third start with one to two faults.</summary>
    public static Gen<AvatarLifecycleCase> Generator { get; } = Gen.Select(
        Gen.Enum<Product>(),
        Gen.Frequency((2, Gen.Const(Array.Empty<StartFault>())), (1, GenStartFault.Array[1, 2])),
        GenStep.Array[0, 10],
        Gen.OneOf(ActionKind.End, ActionKind.Cancel, ActionKind.CancelToken, ActionKind.Dispose, ActionKind.Stop, ActionKind.CancelFrame),
        (product, faults, steps, finish) => new AvatarLifecycleCase(product, faults, steps, finish));

    public override string ToString() =>
        $"{Product} faults [{string.Join(", ", StartFaults.Select(f => f.ToString()))}] steps [{string.Join(", ", Steps.Select(s => s.ToString()))}] then {Finish}";
}
