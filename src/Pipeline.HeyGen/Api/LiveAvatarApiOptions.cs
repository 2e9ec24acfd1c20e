namespace Pipeline.HeyGen.Api;

/// <summary>Settings of <see cref="LiveAvatarApi"/>.</summary>
public sealed class LiveAvatarApiOptions : AvatarApiOptions
{
    /// <summary>The production base URL, <c>https://api.liveavatar.com/v1</c>.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.liveavatar.com/v1");

    /// <summary>Creates options pointing at production. LiveAvatar's OpenAPI schema gives 100 as the success code,
    /// its own web SDK checks for 1000, and LiveKit's plugin accepts 200 when stopping, so all three count as success
    /// until a live session settles it (edit <see cref="AvatarApiOptions.SuccessCodes"/> to be stricter).</summary>
    public LiveAvatarApiOptions()
        : base(DefaultBaseUrl, 100, 200, 1000)
    {
    }

    /// <summary>The reason <see cref="LiveAvatarApi.CloseSessionAsync"/> reports. Default
    /// <see cref="LiveAvatarStopReason.UserClosed"/>.</summary>
    public LiveAvatarStopReason CloseReason { get; set; } = LiveAvatarStopReason.UserClosed;
}
