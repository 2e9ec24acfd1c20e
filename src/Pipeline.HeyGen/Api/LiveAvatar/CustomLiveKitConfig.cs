using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>Your own LiveKit room for the avatar to join (<c>livekit_config</c>; LITE mode only).</summary>
/// <remarks><see cref="ToString"/> redacts the token.</remarks>
public sealed record CustomLiveKitConfig
{
    /// <summary>Your LiveKit server URL (<c>wss://…</c>).</summary>
    [JsonPropertyName("livekit_url")]
    public required string LiveKitUrl { get; init; }

    /// <summary>The room name.</summary>
    [JsonPropertyName("livekit_room")]
    public required string LiveKitRoom { get; init; }

    /// <summary>A LiveKit token the avatar joins the room with.</summary>
    [JsonPropertyName("livekit_client_token")]
    public required string LiveKitClientToken { get; init; }

    /// <summary>A log-safe description with the token redacted.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"CustomLiveKitConfig {{ LiveKitUrl = {Http.SecretRedactor.RedactUrl(LiveKitUrl)}, LiveKitRoom = {LiveKitRoom}, " +
        $"LiveKitClientToken = {Http.SecretRedactor.Mask(LiveKitClientToken)} }}";
}
