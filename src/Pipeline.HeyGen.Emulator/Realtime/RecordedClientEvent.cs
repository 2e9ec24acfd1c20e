namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>One message a client sent to an emulated realtime session, as received.</summary>
/// <param name="Sequence">Order of arrival in the session, from 1.</param>
/// <param name="Connection">Which websocket connection of the session carried it, from 1.</param>
/// <param name="Type">The <c>type</c>, or <see cref="Malformed"/> when the message was not a JSON event.</param>
/// <param name="EventId">The <c>event_id</c>, if any.</param>
/// <param name="Audio">The decoded <c>audio</c> (PCM bytes) of a speak or buffer-append message.</param>
/// <param name="Text">The message text as received.</param>
/// <param name="ReceivedAt">When it arrived, on the session's clock.</param>
public sealed record RecordedClientEvent(
    long Sequence, int Connection, string Type, string? EventId, byte[]? Audio, string Text, DateTimeOffset ReceivedAt)
{
    /// <summary>The <see cref="Type"/> of a message that was not a JSON object with a string <c>type</c>.</summary>
    public const string Malformed = "(malformed)";
}
