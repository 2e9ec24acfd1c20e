using Pipeline.Core.Avatars;
using Pipeline.HeyGen.Api;

namespace Pipeline.HeyGen.Video;

/// <summary>
/// Direct-room mode (<see cref="AvatarMediaMode.DirectRoom"/>): which settings make sense with it, checked when the
/// service is created (before any billed session), and the room the user is handed once the session is open.
/// </summary>
internal static class DirectRoomRules
{
    public static void Validate(HeyGenVideoServiceOptions options)
    {
        if (!Enum.IsDefined(options.MediaMode))
        {
            throw new ArgumentException($"Unknown MediaMode {options.MediaMode}: use AvatarMediaMode.Relay or AvatarMediaMode.DirectRoom.", nameof(options));
        }

        CustomLiveKitConfig? ownRoom = (options.SessionRequest as LiveAvatarNewSessionRequest)?.LiveKitConfig;
        if (options.MediaMode == AvatarMediaMode.Relay)
        {
            if (ownRoom is not null && string.IsNullOrWhiteSpace(options.RoomToken))
            {
                throw new ArgumentException(
                    "The avatar joins your own room (livekit_config) and the bot relays its media: set HeyGenVideoServiceOptions.RoomToken to a " +
                    "token the bot joins that room with, or set MediaMode = AvatarMediaMode.DirectRoom if the user watches the avatar in that room " +
                    "and the bot needs none of its media.", nameof(options));
            }

            return;
        }

        if (options.RoomToken is not null)
        {
            throw new ArgumentException(
                "RoomToken is the bot's token for joining the avatar's room to relay its media; in DirectRoom mode the bot does not join it. " +
                "Remove RoomToken, or use MediaMode = AvatarMediaMode.Relay.", nameof(options));
        }

        if (ownRoom is null)
        {
            return; // the provider's room: the user joins it with the session's client token (RoomAccess)
        }

        if (string.IsNullOrWhiteSpace(ownRoom.LiveKitClientToken))
        {
            throw new ArgumentException(
                "livekit_config.livekit_client_token is missing: the avatar joins your room with it. Mint a LiveKit token for the avatar " +
                "(a room_join grant for that room, kind agent) and put it in LiveKitConfig.LiveKitClientToken.", nameof(options));
        }

        if (!Uri.TryCreate(ownRoom.LiveKitUrl, UriKind.Absolute, out Uri? url) || url.Scheme is not ("wss" or "ws" or "https" or "http"))
        {
            throw new ArgumentException(
                "livekit_config.livekit_url must be your LiveKit server's absolute URL (wss://…).", nameof(options));
        }
    }

    /// <summary>The room the avatar publishes into and how to join it; throws when the session hands out no way in.</summary>
    public static AvatarRoomAccess AccessFor(HeyGenVideoServiceOptions options, StandardSessionResponse info, string avatarIdentity)
    {
        if ((options.SessionRequest as LiveAvatarNewSessionRequest)?.LiveKitConfig is { } ownRoom)
        {
            // Your room: you mint your user's and your bot's tokens, and the avatar's token stays between you and LiveAvatar.
            return new AvatarRoomAccess(new Uri(ownRoom.LiveKitUrl), avatarIdentity) { RoomName = ownRoom.LiveKitRoom };
        }

        if (string.IsNullOrEmpty(info.LiveKitUrl) || !Uri.TryCreate(info.LiveKitUrl, UriKind.Absolute, out Uri? url) || string.IsNullOrEmpty(info.AccessToken))
        {
            throw new InvalidOperationException(
                "The session handed out no room URL or no client token, so the user cannot join the avatar's room: HeyGen's answer lacked " +
                "url/access_token (livekit_url/livekit_client_token on LiveAvatar). Use MediaMode = Relay, or a room of your own (livekit_config).");
        }

        return new AvatarRoomAccess(url, avatarIdentity) { ClientToken = info.AccessToken, AgentToken = info.LiveKitAgentToken };
    }
}
