using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.LiveKit;

/// <summary>RoomService requests as Twirp JSON (the proto field names).</summary>
internal sealed record RoomParticipantRequest([property: JsonPropertyName("room")] string Room, [property: JsonPropertyName("identity")] string Identity);

/// <summary>A ListParticipants request.</summary>
internal sealed record RoomRequest([property: JsonPropertyName("room")] string Room);

/// <summary>A ListParticipants response; unknown fields are skipped.</summary>
internal sealed class ListParticipantsResponse
{
    [JsonPropertyName("participants")]
    public List<ParticipantInfoJson>? Participants { get; set; }
}

/// <summary>The fields of LiveKit's ParticipantInfo we read. Twirp writes enums as names ("AGENT") or numbers.</summary>
internal sealed class ParticipantInfoJson
{
    [JsonPropertyName("sid")]
    public string? Sid { get; set; }

    [JsonPropertyName("identity")]
    public string? Identity { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("kind")]
    public JsonElement Kind { get; set; }

    [JsonPropertyName("attributes")]
    public Dictionary<string, string>? Attributes { get; set; }
}

/// <summary>Twirp's error body: <c>{"code": "not_found", "msg": "..."}</c>.</summary>
internal sealed class TwirpError
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("msg")]
    public string? Msg { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RoomParticipantRequest))]
[JsonSerializable(typeof(RoomRequest))]
[JsonSerializable(typeof(ListParticipantsResponse))]
[JsonSerializable(typeof(TwirpError))]
internal sealed partial class RoomServiceJsonContext : JsonSerializerContext;
