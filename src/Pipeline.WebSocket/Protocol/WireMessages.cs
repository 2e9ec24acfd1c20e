using System.Text.Json.Serialization;

namespace Pipeline.WebSocket.Protocol;

/// <summary>A JSON text message from the client; <c>type</c> says which.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(ClientHello), "hello")]
internal abstract record ClientMessage;

/// <summary>The client's first message: the protocol version it speaks and the format of the audio it will send.</summary>
internal sealed record ClientHello : ClientMessage
{
    /// <summary>Protocol version; must be <see cref="WireProtocol.Version"/>.</summary>
    [JsonPropertyName("version")]
    public int Version { get; init; }

    /// <summary>The microphone audio the client sends.</summary>
    [JsonPropertyName("audio")]
    public AudioFormat? Audio { get; init; }
}

/// <summary>A PCM16 audio format.</summary>
internal sealed record AudioFormat
{
    /// <summary>Sample rate in Hz.</summary>
    [JsonPropertyName("sampleRate")]
    public int SampleRate { get; init; }

    /// <summary>Channel count; 1 when the client leaves it out.</summary>
    /// <remarks>
    /// Nullable rather than defaulted: the source-generated reader sets every init-only property, so a property
    /// initializer would be overwritten with 0 when the field is missing.
    /// </remarks>
    [JsonPropertyName("channels")]
    public int? Channels { get; init; }

    /// <summary>The channel count to use.</summary>
    [JsonIgnore]
    public int ChannelCount => Channels ?? 1;
}

/// <summary>A JSON text message from the server; <c>type</c> says which.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ServerWelcome), "welcome")]
[JsonDerivedType(typeof(TranscriptEvent), "transcript")]
[JsonDerivedType(typeof(BotTextEvent), "bot_text")]
[JsonDerivedType(typeof(SpeakingEvent), "speaking")]
[JsonDerivedType(typeof(ErrorEvent), "error")]
[JsonDerivedType(typeof(InterruptedEvent), "interrupted")]
internal abstract record ServerMessage;

/// <summary>The answer to the hello: the session is on; audio the server sends has the rate in each audio header.</summary>
internal sealed record ServerWelcome : ServerMessage
{
    [JsonPropertyName("version")]
    public int Version { get; init; } = WireProtocol.Version;

    /// <summary>The audio rate the pipeline works at (input audio is resampled to it when the client's differs).</summary>
    [JsonPropertyName("pipelineSampleRate")]
    public int PipelineSampleRate { get; init; }

    /// <summary>The wall-clock time of media timestamp 0, in microseconds since 1970.</summary>
    [JsonPropertyName("serverEpochUs")]
    public long ServerEpochMicroseconds { get; init; }

    /// <summary>The most video frames per second the server sends.</summary>
    [JsonPropertyName("maxVideoFps")]
    public double MaxVideoFps { get; init; }
}

/// <summary>What the user said: interim (may still change) or final.</summary>
internal sealed record TranscriptEvent(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("final")] bool Final,
    [property: JsonPropertyName("userId")] string UserId) : ServerMessage;

/// <summary>Text the bot has just spoken (from a TTS text frame).</summary>
internal sealed record BotTextEvent([property: JsonPropertyName("text")] string Text) : ServerMessage;

/// <summary>The user interrupted the bot: the client drops the bot audio and video it has not played yet.</summary>
internal sealed record InterruptedEvent : ServerMessage;

/// <summary>Who started or stopped speaking: <c>bot</c> or <c>user</c>.</summary>
internal sealed record SpeakingEvent(
    [property: JsonPropertyName("who")] string Who,
    [property: JsonPropertyName("speaking")] bool Speaking) : ServerMessage;

/// <summary>An error in the pipeline, for the person at the page.</summary>
internal sealed record ErrorEvent(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("fatal")] bool Fatal) : ServerMessage;

/// <summary>Source-generated JSON for the wire messages.</summary>
[JsonSourceGenerationOptions(AllowOutOfOrderMetadataProperties = true, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ClientMessage))]
[JsonSerializable(typeof(ServerMessage))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
