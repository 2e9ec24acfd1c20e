using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api.Http;

/// <summary>
/// Source-generated JSON metadata for every wire model. Unset (null) fields are not sent; unknown response fields are
/// ignored; nullable annotations and <c>required</c> members are enforced, so a response missing a required field
/// fails at parse time with the field's name.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(NewSessionRequest))]
[JsonSerializable(typeof(HeyGenSession))]
[JsonSerializable(typeof(StreamingSessionList))]
[JsonSerializable(typeof(StreamingTokenData))]
[JsonSerializable(typeof(SessionIdBody))]
[JsonSerializable(typeof(LiveAvatarNewSessionRequest))]
[JsonSerializable(typeof(LiveAvatarSessionToken))]
[JsonSerializable(typeof(LiveAvatarSessionData))]
[JsonSerializable(typeof(LiveAvatarStopBody))]
internal sealed partial class HeyGenJsonContext : JsonSerializerContext;
