namespace Pipeline.HeyGen.Realtime.Events;

/// <summary>
/// A message from the HeyGen realtime websocket. Every concrete type maps one wire <c>type</c>; fields the service
/// adds later are ignored but kept in <see cref="RawJson"/>.
/// </summary>
public abstract record RealtimeServerEvent
{
    /// <summary>The wire <c>type</c>, e.g. <c>agent.speak_started</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The message's <c>event_id</c>; for speak events it matches the utterance's id.</summary>
    public string? EventId { get; init; }

    /// <summary>The <c>source_event_id</c>: the client event this message answers, when the service says.</summary>
    public string? SourceEventId { get; init; }

    /// <summary>The whole message as received (UTF-8 JSON text). Server events carry no secrets.</summary>
    public required string RawJson { get; init; }
}

/// <summary><c>session.state_updated</c>: the session moved to <see cref="State"/>.</summary>
public sealed record SessionStateUpdatedEvent : RealtimeServerEvent
{
    /// <summary>The new state.</summary>
    public AvatarSessionState State { get; init; }

    /// <summary>The state as sent, for values this client does not know.</summary>
    public string? RawState { get; init; }
}

/// <summary>Base of the speak lifecycle events, which name the utterance by <see cref="RealtimeServerEvent.EventId"/>.</summary>
public abstract record AgentSpeakEvent : RealtimeServerEvent
{
    /// <summary>The service's <c>task.id</c>, when sent.</summary>
    public string? TaskId { get; init; }
}

/// <summary><c>agent.speak_started</c>: the avatar started speaking the utterance <see cref="RealtimeServerEvent.EventId"/>.</summary>
public sealed record AgentSpeakStartedEvent : AgentSpeakEvent;

/// <summary><c>agent.speak_ended</c>: the avatar finished the utterance; always after its start.</summary>
public sealed record AgentSpeakEndedEvent : AgentSpeakEvent;

/// <summary><c>agent.speak_interrupted</c>: the utterance was cut off.</summary>
public sealed record AgentSpeakInterruptedEvent : AgentSpeakEvent;

/// <summary>
/// <c>agent.state_updated</c>: the avatar moved from <see cref="PreviousState"/> to <see cref="NewState"/>. A speaking
/// turn may produce both this (<c>talking</c>) and <see cref="AgentSpeakStartedEvent"/>; handle both idempotently.
/// </summary>
public sealed record AgentStateUpdatedEvent : RealtimeServerEvent
{
    /// <summary>The state before.</summary>
    public AvatarAgentState PreviousState { get; init; }

    /// <summary>The state now.</summary>
    public AvatarAgentState NewState { get; init; }
}

/// <summary>
/// <c>agent.state</c>: sent by the service but its payload is not documented anywhere; <see cref="State"/> is the
/// <c>state</c> field if there is one. Read <see cref="RealtimeServerEvent.RawJson"/> for the rest.
/// </summary>
public sealed record AgentStateEvent : RealtimeServerEvent
{
    /// <summary>The <c>state</c> field, if present.</summary>
    public string? State { get; init; }
}

/// <summary><c>agent.audio_buffer_appended</c>: acknowledges one <c>agent.speak</c> (or older <c>agent.audio_buffer_append</c>).</summary>
public sealed record AudioBufferAppendedEvent : RealtimeServerEvent;

/// <summary><c>agent.audio_buffer_committed</c>: acknowledges <c>agent.speak_end</c>; playback has not finished yet.</summary>
public sealed record AudioBufferCommittedEvent : RealtimeServerEvent;

/// <summary><c>agent.audio_buffer_cleared</c>: acknowledges <c>agent.interrupt</c> (or older <c>agent.audio_buffer_clear</c>).</summary>
public sealed record AudioBufferClearedEvent : RealtimeServerEvent;

/// <summary><c>warning</c>: something the service wants logged.</summary>
public sealed record RealtimeWarningEvent : RealtimeServerEvent
{
    /// <summary>The <c>message</c> field, if present.</summary>
    public string? Message { get; init; }
}

/// <summary><c>error</c>: a command failed; <see cref="RealtimeServerEvent.SourceEventId"/> names it when sent.</summary>
public sealed record RealtimeErrorEvent : RealtimeServerEvent
{
    /// <summary><c>error.type</c>, e.g. <c>invalid_request_error</c>.</summary>
    public string? ErrorType { get; init; }

    /// <summary><c>error.message</c> or the top-level <c>message</c>.</summary>
    public string? Message { get; init; }

    /// <summary><c>error.code</c> as text (the service sends strings or numbers).</summary>
    public string? Code { get; init; }
}
