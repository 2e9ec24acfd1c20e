using System.Text.Json.Serialization;

namespace Pipeline.HeyGen.Api;

/// <summary>Why a LiveAvatar session was stopped (<c>reason</c> on <c>POST /v1/sessions/stop</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LiveAvatarStopReason>))]
public enum LiveAvatarStopReason
{
    /// <summary><c>UNKNOWN</c> (the server's default when no reason is sent).</summary>
    [JsonStringEnumMemberName("UNKNOWN")]
    Unknown,

    /// <summary><c>USER_DISCONNECTED</c>.</summary>
    [JsonStringEnumMemberName("USER_DISCONNECTED")]
    UserDisconnected,

    /// <summary><c>SERVER_ERROR</c>: used by the client when it stops a session whose start failed.</summary>
    [JsonStringEnumMemberName("SERVER_ERROR")]
    ServerError,

    /// <summary><c>IDLE_TIMEOUT</c>.</summary>
    [JsonStringEnumMemberName("IDLE_TIMEOUT")]
    IdleTimeout,

    /// <summary><c>NO_CREDITS</c>.</summary>
    [JsonStringEnumMemberName("NO_CREDITS")]
    NoCredits,

    /// <summary><c>USER_CLOSED</c>.</summary>
    [JsonStringEnumMemberName("USER_CLOSED")]
    UserClosed,

    /// <summary><c>AVATAR_DELETED</c>.</summary>
    [JsonStringEnumMemberName("AVATAR_DELETED")]
    AvatarDeleted,

    /// <summary><c>MAX_DURATION_REACHED</c>.</summary>
    [JsonStringEnumMemberName("MAX_DURATION_REACHED")]
    MaxDurationReached,

    /// <summary><c>ZOMBIE_SESSION_REAP</c>.</summary>
    [JsonStringEnumMemberName("ZOMBIE_SESSION_REAP")]
    ZombieSessionReap,

    /// <summary><c>AGENT_HANG_UP</c>.</summary>
    [JsonStringEnumMemberName("AGENT_HANG_UP")]
    AgentHangUp,
}
