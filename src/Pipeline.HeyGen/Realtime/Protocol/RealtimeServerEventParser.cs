using System.Text;
using System.Text.Json;
using Pipeline.HeyGen.Realtime.Events;

namespace Pipeline.HeyGen.Realtime.Protocol;

/// <summary>The outcome of parsing one server message.</summary>
internal enum ParseOutcome
{
    Parsed,
    UnknownType,
    Malformed,
}

/// <summary>Turns one UTF-8 JSON server message into a typed <see cref="RealtimeServerEvent"/>; never throws on bad input.</summary>
internal static class RealtimeServerEventParser
{
    public static ParseOutcome TryParse(ReadOnlyMemory<byte> utf8, out RealtimeServerEvent? serverEvent, out string? typeOrError)
    {
        serverEvent = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException ex)
        {
            typeOrError = ex.Message;
            return ParseOutcome.Malformed;
        }

        try
        {
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement)
                    || typeElement.ValueKind != JsonValueKind.String)
                {
                    typeOrError = "not a JSON object with a string 'type'";
                    return ParseOutcome.Malformed;
                }

                var type = typeElement.GetString()!;
                typeOrError = type;
                var raw = Encoding.UTF8.GetString(utf8.Span);
                var eventId = StringOf(root, "event_id");
                var sourceEventId = StringOf(root, "source_event_id");
                serverEvent = type switch
                {
                    RealtimeEventTypes.SessionStateUpdated => new SessionStateUpdatedEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw,
                        State = SessionStateOf(StringOf(root, "state")), RawState = StringOf(root, "state"),
                    },
                    RealtimeEventTypes.AgentSpeakStarted => new AgentSpeakStartedEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw, TaskId = TaskIdOf(root),
                    },
                    RealtimeEventTypes.AgentSpeakEnded => new AgentSpeakEndedEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw, TaskId = TaskIdOf(root),
                    },
                    RealtimeEventTypes.AgentSpeakInterrupted => new AgentSpeakInterruptedEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw, TaskId = TaskIdOf(root),
                    },
                    RealtimeEventTypes.AgentStateUpdated => new AgentStateUpdatedEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw,
                        PreviousState = AgentStateOf(StringOf(root, "previous_state")),
                        NewState = AgentStateOf(StringOf(root, "new_state")),
                    },
                    RealtimeEventTypes.AgentState => new AgentStateEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw, State = StringOf(root, "state"),
                    },
                    RealtimeEventTypes.AudioBufferAppended => new AudioBufferAppendedEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw,
                    },
                    RealtimeEventTypes.AudioBufferCommitted => new AudioBufferCommittedEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw,
                    },
                    RealtimeEventTypes.AudioBufferCleared => new AudioBufferClearedEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw,
                    },
                    RealtimeEventTypes.Warning => new RealtimeWarningEvent
                    {
                        Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw, Message = StringOf(root, "message"),
                    },
                    RealtimeEventTypes.Error => ErrorOf(root, type, eventId, sourceEventId, raw),
                    _ => null,
                };
                return serverEvent is null ? ParseOutcome.UnknownType : ParseOutcome.Parsed;
            }
        }
        catch (InvalidOperationException ex)
        {
            // Valid JSON whose strings cannot be decoded (a lone surrogate escape, invalid UTF-8 in a string).
            serverEvent = null;
            typeOrError = ex.Message;
            return ParseOutcome.Malformed;
        }
    }

    private static RealtimeErrorEvent ErrorOf(JsonElement root, string type, string? eventId, string? sourceEventId, string raw)
    {
        string? errorType = null, message = StringOf(root, "message"), code = ScalarOf(root, "code");
        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.Object)
            {
                errorType = StringOf(error, "type");
                message = StringOf(error, "message") ?? message;
                code = ScalarOf(error, "code") ?? code;
            }
            else if (error.ValueKind == JsonValueKind.String)
            {
                errorType = error.GetString();
            }
        }

        return new RealtimeErrorEvent
        {
            Type = type, EventId = eventId, SourceEventId = sourceEventId, RawJson = raw,
            ErrorType = errorType, Message = message, Code = code,
        };
    }

    private static string? TaskIdOf(JsonElement root) =>
        root.TryGetProperty("task", out var task) && task.ValueKind == JsonValueKind.Object ? ScalarOf(task, "id") : null;

    private static string? StringOf(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? ScalarOf(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static AvatarSessionState SessionStateOf(string? state) => state switch
    {
        "connecting" => AvatarSessionState.Connecting,
        "connected" => AvatarSessionState.Connected,
        "closing" => AvatarSessionState.Closing,
        "closed" => AvatarSessionState.Closed,
        "disconnected" => AvatarSessionState.Disconnected,
        _ => AvatarSessionState.Unknown,
    };

    private static AvatarAgentState AgentStateOf(string? state) => state switch
    {
        "idle" => AvatarAgentState.Idle,
        "listening" => AvatarAgentState.Listening,
        "talking" => AvatarAgentState.Talking,
        _ => AvatarAgentState.Unknown,
    };
}
