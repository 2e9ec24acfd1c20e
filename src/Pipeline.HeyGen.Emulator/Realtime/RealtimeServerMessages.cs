using System.Text.Json.Nodes;

namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>The server-to-client messages of the realtime websocket (reference note, section 2.3), as JSON text.</summary>
internal static class RealtimeServerMessages
{
    /// <summary><c>session.state_updated</c> with <c>state</c>: connecting, connected, closing or closed.</summary>
    public static string SessionStateUpdated(string state) => Message("session.state_updated", new() { ["state"] = state });

    /// <summary><c>agent.speak_started</c> for the utterance <paramref name="eventId"/>.</summary>
    public static string SpeakStarted(string eventId, string taskId) => SpeakEvent("agent.speak_started", eventId, taskId);

    /// <summary><c>agent.speak_ended</c> for the utterance <paramref name="eventId"/>.</summary>
    public static string SpeakEnded(string eventId, string taskId) => SpeakEvent("agent.speak_ended", eventId, taskId);

    /// <summary><c>agent.speak_interrupted</c> for the utterance <paramref name="eventId"/>.</summary>
    public static string SpeakInterrupted(string eventId, string taskId) => SpeakEvent("agent.speak_interrupted", eventId, taskId);

    /// <summary><c>agent.state_updated</c>: idle, listening or talking.</summary>
    public static string AgentStateUpdated(string previous, string next) =>
        Message("agent.state_updated", new() { ["previous_state"] = previous, ["new_state"] = next });

    /// <summary><c>agent.audio_buffer_appended</c> acknowledging the speak <paramref name="sourceEventId"/>.</summary>
    public static string AudioBufferAppended(string? sourceEventId) => Ack("agent.audio_buffer_appended", sourceEventId);

    /// <summary><c>agent.audio_buffer_committed</c> acknowledging the speak end <paramref name="sourceEventId"/>.</summary>
    public static string AudioBufferCommitted(string? sourceEventId) => Ack("agent.audio_buffer_committed", sourceEventId);

    /// <summary><c>agent.audio_buffer_cleared</c> acknowledging the interrupt <paramref name="sourceEventId"/>.</summary>
    public static string AudioBufferCleared(string? sourceEventId) => Ack("agent.audio_buffer_cleared", sourceEventId);

    /// <summary><c>warning</c> with a <c>message</c>.</summary>
    public static string Warning(string message) => Message("warning", new() { ["message"] = message });

    /// <summary><c>error</c> with <c>error: { type, message }</c> and the failing command's <c>source_event_id</c>.</summary>
    public static string Error(string errorType, string message, string? sourceEventId) =>
        Message("error", new()
        {
            ["source_event_id"] = sourceEventId,
            ["error"] = new JsonObject { ["type"] = errorType, ["message"] = message },
        });

    private static string SpeakEvent(string type, string eventId, string taskId) =>
        new JsonObject { ["type"] = type, ["event_id"] = eventId, ["task"] = new JsonObject { ["id"] = taskId } }.ToJsonString();

    private static string Ack(string type, string? sourceEventId) => Message(type, new() { ["source_event_id"] = sourceEventId });

    private static string Message(string type, JsonObject fields)
    {
        var message = new JsonObject { ["type"] = type, ["event_id"] = Guid.NewGuid().ToString() };
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            message[name] = value;
        }

        return message.ToJsonString();
    }
}
