using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>The body of <c>POST /v1/sessions/token</c>: what kind of LiveAvatar session to create.</summary>
public sealed record LiveAvatarNewSessionRequest : AvatarSessionRequest
{
    /// <summary>The one avatar sandbox sessions may use ("Wayne").</summary>
    public const string SandboxAvatarId = "dd73ea75-1218-4ef3-92ce-606d5f7fbc0a";

    /// <summary>The session mode. Default LITE (the bot brings its own audio). Always sent: the token's mode decides
    /// how the session starts.</summary>
    [JsonPropertyName("mode")]
    public LiveAvatarMode Mode { get; init; } = LiveAvatarMode.Lite;

    /// <summary>The avatar id (a UUID). Required.</summary>
    [JsonPropertyName("avatar_id")]
    public required string AvatarId { get; init; }

    /// <summary>Video settings. Default VP8, high.</summary>
    [JsonPropertyName("video_settings")]
    public LiveAvatarVideoSettings? VideoSettings { get; init; } = new();

    /// <summary>Sandbox sessions cost nothing, allow only <see cref="SandboxAvatarId"/> and end after about a minute.</summary>
    [JsonPropertyName("is_sandbox")]
    public bool? IsSandbox { get; init; } = false;

    /// <summary>The FULL-mode agent's persona.</summary>
    [JsonPropertyName("avatar_persona")]
    public AvatarPersona? AvatarPersona { get; init; }

    /// <summary>Your own LiveKit room (LITE mode only).</summary>
    [JsonPropertyName("livekit_config")]
    public CustomLiveKitConfig? LiveKitConfig { get; init; }

    /// <inheritdoc />
    public override void Validate()
    {
        if (string.IsNullOrWhiteSpace(AvatarId))
        {
            throw new ArgumentException("avatar_id is required for a LiveAvatar session.", nameof(AvatarId));
        }

        if (LiveKitConfig is not null && Mode == LiveAvatarMode.Full)
        {
            throw new ArgumentException("livekit_config applies to LITE (or CUSTOM) sessions only; FULL mode ignores it.", nameof(LiveKitConfig));
        }

        if (LiveKitConfig is { } lk && (string.IsNullOrWhiteSpace(lk.LiveKitUrl) || string.IsNullOrWhiteSpace(lk.LiveKitRoom) || string.IsNullOrWhiteSpace(lk.LiveKitClientToken)))
        {
            throw new ArgumentException("livekit_config needs livekit_url, livekit_room and livekit_client_token.", nameof(LiveKitConfig));
        }
    }
}
