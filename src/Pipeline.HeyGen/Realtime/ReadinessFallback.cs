namespace Pipeline.HeyGen.Realtime;

/// <summary>What <see cref="HeyGenRealtimeClient.WaitUntilReadyAsync"/> does when no
/// <c>session.state_updated: connected</c> arrives within <see cref="HeyGenRealtimeOptions.ReadyTimeout"/>.</summary>
public enum ReadinessFallback
{
    /// <summary>
    /// Log a warning and treat the session as ready. This is the default because LiveAvatar LITE sessions have been
    /// seen never to send the event (Pipecat removed its gate for that reason); the audio is then sent anyway, as
    /// Pipecat does.
    /// </summary>
    AssumeReady,

    /// <summary>Throw a <see cref="HeyGenRealtimeException"/> with <see cref="RealtimeFailure.NotReady"/>.</summary>
    Throw,
}
