using System.Collections.Frozen;
using System.Text.Json;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// The JSON body fields each endpoint knows (dotted paths for nested objects), so the journal can name every field a
/// client sent that the service would not understand. The real services most likely ignore unknown fields (FastAPI's
/// default for LiveAvatar; HeyGen's v1 API accepts SDK-only names silently), which is exactly how a misspelt field
/// silently falls back to its default: the emulator answers like them but records the name and logs a warning, so
/// tests catch it (see docs/heygen-protocol.md, "Field names").
/// </summary>
internal static class KnownFields
{
    private static readonly string[] SessionOnly = ["session_id"];

    private static readonly FrozenDictionary<EmulatorEndpoint, FrozenSet<string>> Known = new Dictionary<EmulatorEndpoint, FrozenSet<string>>
    {
        // Documented (reference/new-session), plus the names HeyGen's own SDK sends (avatar_name, language, source, ...).
        [EmulatorEndpoint.StreamingNew] = Set(
            "quality", "avatar_id", "avatar_name", "voice", "voice.voice_id", "voice.rate", "voice.emotion",
            "voice.elevenlabs_settings", "voice.elevenlabs_settings.stability", "voice.elevenlabs_settings.similarity_boost",
            "voice.elevenlabs_settings.style", "voice.elevenlabs_settings.use_speaker_boost", "voice.elevenlabs_settings.model_id",
            "stt_settings", "stt_settings.provider", "stt_settings.confidence", "video_encoding", "knowledge_base",
            "knowledge_base_id", "version", "disable_idle_timeout", "activity_idle_timeout", "livekit_settings", "language",
            "silence_response", "ia_is_livekit_transport", "source"),
        [EmulatorEndpoint.StreamingCreateToken] = Set(),
        [EmulatorEndpoint.StreamingStart] = Set(SessionOnly),
        [EmulatorEndpoint.StreamingStop] = Set(SessionOnly),
        [EmulatorEndpoint.StreamingKeepAlive] = Set(SessionOnly),
        [EmulatorEndpoint.StreamingInterrupt] = Set(SessionOnly),
        [EmulatorEndpoint.StreamingStartListening] = Set(SessionOnly),
        [EmulatorEndpoint.StreamingStopListening] = Set(SessionOnly),
        [EmulatorEndpoint.StreamingTask] = Set("session_id", "text", "task_mode", "task_type"),
        // Documented (LiveAvatar OpenAPI / start_session reference).
        [EmulatorEndpoint.LiveAvatarToken] = Set(
            "mode", "avatar_id", "is_sandbox", "video_settings", "video_settings.encoding", "video_settings.quality",
            "livekit_config", "livekit_config.livekit_url", "livekit_config.livekit_room", "livekit_config.livekit_client_token",
            "avatar_persona", "avatar_persona.voice_id", "avatar_persona.context_id", "avatar_persona.language",
            "voice_agent", "voice_agent.id", "interactivity_type"),
        [EmulatorEndpoint.LiveAvatarStart] = Set(),
        [EmulatorEndpoint.LiveAvatarStop] = Set("session_id", "reason"),
        [EmulatorEndpoint.LiveAvatarKeepAlive] = Set(SessionOnly),
    }.ToFrozenDictionary();

    /// <summary>The dotted paths of the body's fields that <paramref name="endpoint"/> does not know; empty when the
    /// body is not a JSON object or the endpoint takes no JSON body.</summary>
    public static IReadOnlyList<string> UnknownIn(EmulatorEndpoint endpoint, string body)
    {
        if (body.Length == 0 || !Known.TryGetValue(endpoint, out var known))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            var unknown = new List<string>();
            Walk(document.RootElement, prefix: null, known, unknown);
            return unknown;
        }
        catch (JsonException)
        {
            return []; // the handler answers the malformed body itself
        }
    }

    private static void Walk(JsonElement element, string? prefix, FrozenSet<string> known, List<string> unknown)
    {
        foreach (var property in element.EnumerateObject())
        {
            var path = prefix is null ? property.Name : prefix + "." + property.Name;
            if (!known.Contains(path))
            {
                unknown.Add(path);
                continue;
            }

            // Objects whose members are listed are checked member by member; opaque ones (livekit_settings) are not.
            if (property.Value.ValueKind == JsonValueKind.Object && known.Any(k => k.StartsWith(path + ".", StringComparison.Ordinal)))
            {
                Walk(property.Value, path, known, unknown);
            }
        }
    }

    private static FrozenSet<string> Set(params string[] names) => names.ToFrozenSet(StringComparer.Ordinal);
}
