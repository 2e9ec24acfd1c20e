using System.Text.Json.Serialization;

namespace Pipeline.Tavus.Http;

/// <summary>Source-generated JSON metadata of the wire models. Unset (null) fields are not sent; unknown response
/// fields are ignored; a response without a required field fails at parse time naming it.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(CreateConversationBody))]
[JsonSerializable(typeof(TavusConversation))]
internal sealed partial class TavusJsonContext : JsonSerializerContext;
