namespace Pipeline.HeyGen.Emulator;

/// <summary>A session's lifecycle: created, then started, then stopped. Only stopping ends billing.</summary>
public enum EmulatedSessionState
{
    /// <summary>Created (<c>streaming.new</c> or <c>sessions/token</c>) but not started.</summary>
    New,

    /// <summary>Started (<c>streaming.start</c> or <c>sessions/start</c>); the realtime websocket may connect.</summary>
    Started,

    /// <summary>Stopped; any further call about it fails.</summary>
    Stopped,
}
