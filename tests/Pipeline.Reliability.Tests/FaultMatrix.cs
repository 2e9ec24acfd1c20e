namespace Pipeline.Reliability.Tests;

/// <summary>A step of an avatar session's life where a fault is injected.</summary>
public enum LifeStep
{
    New,
    Start,
    WebSocketConnect,
    MediaConnect,
    MidUtterance,
    Interrupt,
    KeepAlive,
    End,
    Cancel,
}

/// <summary>Which product's REST API the session is opened with.</summary>
public enum Product
{
    /// <summary>HeyGen Interactive Avatar (<c>streaming.*</c>).</summary>
    HeyGen,

    /// <summary>LiveAvatar (<c>sessions/token</c>, <c>sessions/start</c>, <c>sessions/keep-alive</c>, <c>sessions/stop</c>).</summary>
    LiveAvatar,
}

/// <summary>A fault the emulator (or an emulated room) can produce.</summary>
public enum Fault
{
    Http400,
    Http401,
    Http429,
    Http500,
    Http503,
    DelayPastTimeout,

    /// <summary>The service does the work (opens or starts the session) but its answer comes after the client's
    /// attempt timeout.</summary>
    AnswerAfterTimeout,
    ConnectionReset,
    MalformedBody,
    WebSocketDrop,
    WebSocketDropNoReconnect,
    MalformedWebSocketMessage,
    UnknownWebSocketMessage,
    MediaConnectFailure,
}

/// <summary>What the pipeline does about a fault, as documented in docs/reliability.md.</summary>
public enum Outcome
{
    /// <summary>The run ends with a fatal ErrorFrame (PipelineException) naming the step and the cause; whatever was opened is closed.</summary>
    FatalAtStart,

    /// <summary>The fault is retried away: no ErrorFrame, the session works and ends cleanly.</summary>
    Recovers,

    /// <summary>A non-fatal ErrorFrame names the cause; the session keeps working (later speech is delivered in full) and ends cleanly.</summary>
    ErrorAndContinues,

    /// <summary>The message is ignored and logged; no ErrorFrame, the session is unaffected.</summary>
    IgnoredAndLogged,

    /// <summary>A fatal ErrorFrame names the cause mid-session; the run ends and the session is closed.</summary>
    FatalMidSession,

    /// <summary>Closing the session failed: a non-fatal ErrorFrame says the session may stay billed; the run still ends, and the session
    /// stays open until HeyGen's idle timeout (the emulator's ledger shows it closed by IDLE_TIMEOUT).</summary>
    CloseFailsSessionIdlesOut,
}

/// <summary>One row of the matrix: where, what, what happens, and the words the error must contain (for
/// <see cref="Outcome.Recovers"/> and <see cref="Outcome.IgnoredAndLogged"/>, the warning log line).</summary>
public sealed record FaultCase(LifeStep Step, Fault Fault, Outcome Outcome, string Cause, Product Product = Product.HeyGen)
{
    public override string ToString() => $"{Product} {Step} × {Fault} → {Outcome}";
}

/// <summary>
/// The fault matrix: every fault that applies to each step, with its documented outcome. Combinations that cannot
/// happen (an HTTP status on a websocket message, a websocket drop before the socket exists) are not listed.
/// </summary>
public static class FaultMatrix
{
    private static readonly Fault[] HttpFaults =
        [Fault.Http400, Fault.Http401, Fault.Http429, Fault.Http500, Fault.Http503, Fault.DelayPastTimeout, Fault.ConnectionReset, Fault.MalformedBody];

    /// <summary>What the API client's warning says when it retries a call.</summary>
    public const string Retried = "retrying";

    /// <summary>What the error says when a creating call was answered after the attempt timeout.</summary>
    public const string AnsweredLate = "no answer within the attempt timeout";

    public static IReadOnlyList<FaultCase> Cases { get; } = Build();

    /// <summary>True for faults the REST client retries (HTTP 429, 5xx, timeouts, dropped connections).</summary>
    public static bool IsTransient(Fault fault) =>
        fault is Fault.Http429 or Fault.Http500 or Fault.Http503 or Fault.DelayPastTimeout or Fault.ConnectionReset;

    public static string CauseOf(Fault fault) => fault switch
    {
        Fault.Http400 => "HTTP 400",
        Fault.Http401 => "HTTP 401",
        Fault.Http429 => "HTTP 429",
        Fault.Http500 => "HTTP 500",
        Fault.Http503 => "HTTP 503",
        Fault.DelayPastTimeout => "timed out",
        Fault.AnswerAfterTimeout => AnsweredLate,
        Fault.ConnectionReset => "connection",
        Fault.MalformedBody => "JSON",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "Not an HTTP fault."),
    };

    /// <summary>What names a fault of a creating call: one that is not answered in time is awaited for the cleanup
    /// budget too, and its error says so.</summary>
    private static string CreateCauseOf(Fault fault) =>
        fault is Fault.DelayPastTimeout or Fault.AnswerAfterTimeout ? AnsweredLate : CauseOf(fault);

    private static List<FaultCase> Build()
    {
        var rows = new List<FaultCase>();

        // streaming.new is never retried (a retry could open a second, billed session): every fault is fatal. An
        // answer after the attempt timeout is still awaited (within the cleanup budget) and its session stopped.
        rows.AddRange(HttpFaults.Append(Fault.AnswerAfterTimeout).Select(f => new FaultCase(LifeStep.New, f, Outcome.FatalAtStart, CreateCauseOf(f))));

        // streaming.start is retried on transient faults; the rest stop the created session and fail the start.
        rows.AddRange(HttpFaults.Select(f => IsTransient(f)
            ? new FaultCase(LifeStep.Start, f, Outcome.Recovers, Retried)
            : new FaultCase(LifeStep.Start, f, Outcome.FatalAtStart, CauseOf(f))));

        // The websocket upgrade refused or cut (every attempt): the session is stopped and the start fails.
        rows.AddRange(new[] { Fault.Http400, Fault.Http401, Fault.Http429, Fault.Http500, Fault.Http503 }
            .Select(f => new FaultCase(LifeStep.WebSocketConnect, f, Outcome.FatalAtStart, CauseOf(f))));
        rows.Add(new FaultCase(LifeStep.WebSocketConnect, Fault.DelayPastTimeout, Outcome.FatalAtStart, "timed out"));
        rows.Add(new FaultCase(LifeStep.WebSocketConnect, Fault.ConnectionReset, Outcome.FatalAtStart, "websocket"));

        rows.Add(new FaultCase(LifeStep.MediaConnect, Fault.MediaConnectFailure, Outcome.FatalAtStart, "room refused the join"));
        rows.Add(new FaultCase(LifeStep.MediaConnect, Fault.DelayPastTimeout, Outcome.FatalAtStart, "timed out"));

        rows.Add(new FaultCase(LifeStep.MidUtterance, Fault.WebSocketDrop, Outcome.ErrorAndContinues, "dropped during utterance u1"));
        rows.Add(new FaultCase(LifeStep.MidUtterance, Fault.WebSocketDropNoReconnect, Outcome.FatalMidSession, "realtime connection failed"));
        rows.Add(new FaultCase(LifeStep.MidUtterance, Fault.MalformedWebSocketMessage, Outcome.IgnoredAndLogged, "not a valid event"));
        rows.Add(new FaultCase(LifeStep.MidUtterance, Fault.UnknownWebSocketMessage, Outcome.IgnoredAndLogged, "emulator.mystery_event"));

        rows.Add(new FaultCase(LifeStep.Interrupt, Fault.WebSocketDrop, Outcome.Recovers, "reconnected"));
        rows.Add(new FaultCase(LifeStep.Interrupt, Fault.WebSocketDropNoReconnect, Outcome.FatalMidSession, "realtime connection failed"));

        // streaming.keep_alive is retried on transient faults; a failed keep-alive is reported and the next one tries again.
        rows.AddRange(HttpFaults.Select(f => IsTransient(f)
            ? new FaultCase(LifeStep.KeepAlive, f, Outcome.Recovers, Retried)
            : new FaultCase(LifeStep.KeepAlive, f, Outcome.ErrorAndContinues, CauseOf(f))));

        // streaming.stop, after an EndFrame or a cancel: retried on transient faults.
        foreach (LifeStep step in new[] { LifeStep.End, LifeStep.Cancel })
        {
            rows.AddRange(HttpFaults.Select(f => IsTransient(f)
                ? new FaultCase(step, f, Outcome.Recovers, Retried)
                : new FaultCase(step, f, Outcome.CloseFailsSessionIdlesOut, CauseOf(f))));
        }

        rows.AddRange(LiveAvatarRows());
        return rows;
    }

    // The same session life through LiveAvatar's endpoints: sessions/token creates (never retried), sessions/start
    // (retried: the session id is already known, so a late start answer is simply retried away), sessions/stop.
    private static IEnumerable<FaultCase> LiveAvatarRows()
    {
        foreach (Fault f in HttpFaults.Append(Fault.AnswerAfterTimeout))
        {
            yield return new FaultCase(LifeStep.New, f, Outcome.FatalAtStart, CreateCauseOf(f), Product.LiveAvatar);
        }

        foreach (Fault f in HttpFaults.Append(Fault.AnswerAfterTimeout))
        {
            yield return IsTransient(f) || f == Fault.AnswerAfterTimeout
                ? new FaultCase(LifeStep.Start, f, Outcome.Recovers, Retried, Product.LiveAvatar)
                : new FaultCase(LifeStep.Start, f, Outcome.FatalAtStart, CauseOf(f), Product.LiveAvatar);
        }

        // No keep-alive rows: a LiveAvatar session is kept alive over its websocket, not sessions/keep-alive.
        foreach (LifeStep step in new[] { LifeStep.End, LifeStep.Cancel })
        {
            foreach (Fault f in HttpFaults)
            {
                yield return IsTransient(f)
                    ? new FaultCase(step, f, Outcome.Recovers, Retried, Product.LiveAvatar)
                    : new FaultCase(step, f, Outcome.CloseFailsSessionIdlesOut, CauseOf(f), Product.LiveAvatar);
            }
        }
    }
}
