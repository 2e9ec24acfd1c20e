namespace Pipeline.HeyGen.Video;

/// <summary>Where the avatar's video and audio go (docs/avatar-modes.md says which to pick).</summary>
public enum AvatarMediaMode
{
    /// <summary>
    /// The bot joins the avatar's room, receives and decodes its media and pushes it down the pipeline as frames, for
    /// an output transport to deliver (the default; Pipecat's <c>HeyGenVideoService</c>).
    /// </summary>
    Relay,

    /// <summary>
    /// The avatar publishes straight into the room the user is in; the bot never joins it for the avatar's media and
    /// pushes none, only speaking frames. Either the room is yours (LiveAvatar <c>livekit_config</c>), or the provider's,
    /// which the user joins with the session's client token (<c>AvatarVideoService.RoomAccess</c>, an
    /// <c>AvatarRoomReadyFrame</c>; Pipecat's <c>HeyGenTransport</c>).
    /// </summary>
    DirectRoom,
}
