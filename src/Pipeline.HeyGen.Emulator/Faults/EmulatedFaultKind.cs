namespace Pipeline.HeyGen.Emulator;

/// <summary>What an injected fault does to a call.</summary>
public enum EmulatedFaultKind
{
    /// <summary>Nothing beyond the fault's <see cref="EmulatedFault.Delay"/>: the call is then served normally.</summary>
    DelayOnly,

    /// <summary>Answer with a given HTTP status and body instead of serving the call.</summary>
    Status,

    /// <summary>Abort the connection without an answer (the client sees a reset / premature end).</summary>
    DropConnection,

    /// <summary>Answer HTTP 200 with a truncated, unparseable JSON body.</summary>
    MalformedBody,

    /// <summary>Run the handler, then hold its answer back for the fault's delay.</summary>
    DelayResponse,
}
