using System.Buffers.Text;
using System.Text.Json;

namespace Pipeline.HeyGen.Realtime.Protocol;

/// <summary>
/// Encodes client events as JSON straight into pooled buffers: one reused <see cref="Utf8JsonWriter"/>, base64 written
/// by the writer into the same buffer, fresh event ids formatted on the stack. Encoding a speak message allocates
/// nothing once the pool is warm. Thread-safe (encoding is serialised; it is short and never waits).
/// </summary>
internal sealed class RealtimeMessageWriter : IDisposable
{
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText EventIdName = JsonEncodedText.Encode("event_id");
    private static readonly JsonEncodedText AudioName = JsonEncodedText.Encode("audio");

    // Room for braces, the three property names, quotes and the longest type name.
    private const int EnvelopeBytes = 96;

    private readonly Lock _lock = new();
    private readonly PooledBufferWriter _buffer = new();
    private readonly Utf8JsonWriter _json;

    public RealtimeMessageWriter()
    {
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>Largest encoded size of a message with an event id of <paramref name="eventIdLength"/> UTF-16 chars
    /// and <paramref name="audioBytes"/> bytes of audio (escaping may grow one char to six bytes).</summary>
    public static int MaxEncodedLength(int eventIdLength, int audioBytes) =>
        EnvelopeBytes + (eventIdLength * 6) + Base64.GetMaxEncodedToUtf8Length(audioBytes);

    /// <summary>Most audio bytes (even, whole samples) one message may carry within <paramref name="maxMessageBytes"/>.</summary>
    public static int MaxAudioBytesPerMessage(int maxMessageBytes, int eventIdLength)
    {
        var room = maxMessageBytes - EnvelopeBytes - (eventIdLength * 6);
        var bytes = room / 4 * 3;
        return bytes & ~1;
    }

    /// <summary>Encodes <c>{"type":"agent.speak","event_id":id,"audio":base64(pcm)}</c>.</summary>
    public OutboundMessage WriteSpeak(string eventId, ReadOnlySpan<byte> pcm, Utterance? utterance)
    {
        lock (_lock)
        {
            _buffer.Start(MaxEncodedLength(eventId.Length, pcm.Length));
            _json.Reset(_buffer);
            _json.WriteStartObject();
            _json.WriteString(TypeName, RealtimeEventTypes.AgentSpeak);
            _json.WriteString(EventIdName, eventId);
            _json.WriteBase64String(AudioName, pcm);
            _json.WriteEndObject();
            _json.Flush();
            var (bytes, length) = _buffer.Detach();
            return new OutboundMessage(RealtimeEventTypes.AgentSpeak, bytes, length, utterance);
        }
    }

    /// <summary>Encodes <c>{"type":type,"event_id":id}</c>; a fresh UUID when <paramref name="eventId"/> is null.</summary>
    /// <param name="type">The wire type.</param>
    /// <param name="eventId">The event id, or null for a fresh one.</param>
    /// <param name="utterance">The utterance a <c>speak_end</c> closes; the message is dropped if it is discarded.</param>
    public OutboundMessage WriteControl(string type, string? eventId, Utterance? utterance = null)
    {
        Span<char> fresh = stackalloc char[36];
        scoped ReadOnlySpan<char> id = eventId;
        if (eventId is null)
        {
            Guid.NewGuid().TryFormat(fresh, out _, "D");
            id = fresh;
        }

        lock (_lock)
        {
            _buffer.Start(MaxEncodedLength(id.Length, 0));
            _json.Reset(_buffer);
            _json.WriteStartObject();
            _json.WriteString(TypeName, type);
            _json.WriteString(EventIdName, id);
            _json.WriteEndObject();
            _json.Flush();
            var (bytes, length) = _buffer.Detach();
            return new OutboundMessage(type, bytes, length, utterance);
        }
    }

    public void Dispose() => _json.Dispose();
}
