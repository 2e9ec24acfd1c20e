using System.Text.Json.Serialization;

namespace Pipeline.BeyondPresence.Http;

/// <summary>Source-generated JSON metadata of the wire models. Unknown response fields (the echoed token among them)
/// are ignored; a response without a required field fails at parse time naming it.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(CreateSessionBody))]
[JsonSerializable(typeof(BeyondPresenceSession))]
internal sealed partial class BeyondPresenceJsonContext : JsonSerializerContext;
