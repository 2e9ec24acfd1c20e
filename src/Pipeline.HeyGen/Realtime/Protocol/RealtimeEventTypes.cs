namespace Pipeline.HeyGen.Realtime.Protocol;

/// <summary>The wire <c>type</c> names of the realtime websocket (reference note, section 2).</summary>
internal static class RealtimeEventTypes
{
    // Client to server, current generation (what this client sends).

    /// <summary>Adds base64 PCM16 mono 24 kHz audio to the avatar's playback buffer.</summary>
    public const string AgentSpeak = "agent.speak";

    /// <summary>Ends the utterance started with the same <c>event_id</c>.</summary>
    public const string AgentSpeakEnd = "agent.speak_end";

    /// <summary>Stops speech and drops queued audio.</summary>
    public const string AgentInterrupt = "agent.interrupt";

    /// <summary>Starts the listening animation (only while silent).</summary>
    public const string AgentStartListening = "agent.start_listening";

    /// <summary>Returns from listening to idle.</summary>
    public const string AgentStopListening = "agent.stop_listening";

    /// <summary>Resets the LiveAvatar idle timer.</summary>
    public const string SessionKeepAlive = "session.keep_alive";

    // Server to client.

    /// <summary>Session state change: connecting, connected, closing, closed.</summary>
    public const string SessionStateUpdated = "session.state_updated";

    /// <summary>The avatar started an utterance.</summary>
    public const string AgentSpeakStarted = "agent.speak_started";

    /// <summary>The avatar finished an utterance.</summary>
    public const string AgentSpeakEnded = "agent.speak_ended";

    /// <summary>The utterance was cut off.</summary>
    public const string AgentSpeakInterrupted = "agent.speak_interrupted";

    /// <summary>Avatar state change: idle, listening, talking.</summary>
    public const string AgentStateUpdated = "agent.state_updated";

    /// <summary>Undocumented avatar state message.</summary>
    public const string AgentState = "agent.state";

    /// <summary>Acknowledges a speak (audio append).</summary>
    public const string AudioBufferAppended = "agent.audio_buffer_appended";

    /// <summary>Acknowledges a speak end (commit).</summary>
    public const string AudioBufferCommitted = "agent.audio_buffer_committed";

    /// <summary>Acknowledges an interrupt (clear).</summary>
    public const string AudioBufferCleared = "agent.audio_buffer_cleared";

    /// <summary>A warning to log.</summary>
    public const string Warning = "warning";

    /// <summary>A failed command.</summary>
    public const string Error = "error";
}
