using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;

namespace Pipeline.HeyGen.Video;

/// <summary>
/// Puts a HeyGen avatar after TTS in a pipeline: it consumes the TTS audio, makes the avatar speak it, and emits the
/// avatar's video (<see cref="OutputImageRawFrame"/>) and lip-synced audio (<see cref="SpeechOutputAudioRawFrame"/>)
/// downstream, or, in direct-room mode (<see cref="HeyGenVideoServiceOptions.MediaMode"/>), lets the avatar publish
/// straight into the user's room and pushes only speaking frames. The frame handling is <see cref="AvatarVideoService"/>'s
/// (see there); this class opens HeyGen sessions.
/// </summary>
/// <remarks>
/// <para>On <see cref="StartFrame"/> it opens the REST session (the API: <see cref="HeyGenApi"/> for
/// Interactive Avatar, <see cref="LiveAvatarApi"/> for LiveAvatar), the realtime websocket, and the avatar's room
/// (through the media connector), in that order; a failure is a fatal <see cref="ErrorFrame"/> naming the
/// step, and whatever was opened is closed. Speech goes out as <c>agent.speak</c> (24 kHz, first chunk after
/// <see cref="HeyGenVideoServiceOptions.FirstChunk"/>, then <see cref="HeyGenVideoServiceOptions.Chunk"/>), at once:
/// no wait for the session's <c>connected</c> state unless <see cref="Realtime.HeyGenRealtimeOptions.WaitForConnected"/>.</para>
/// <para>Logging and the clock are the pipeline's (from its setup). The API and connector stay the caller's to dispose.</para>
/// </remarks>
public sealed class HeyGenVideoService : AvatarVideoService
{
    /// <summary>Creates the service.</summary>
    /// <param name="api">The avatar provider's REST client: a <see cref="HeyGenApi"/> or a <see cref="LiveAvatarApi"/>.</param>
    /// <param name="mediaConnector">Joins the room where the avatar's media arrives.</param>
    /// <param name="options">Settings; validated here. Null for the defaults.</param>
    /// <param name="name">Name for logs; defaults to <c>HeyGenVideoService#N</c>.</param>
    /// <exception cref="ArgumentNullException">The API or the connector is missing (the message says what to pass).</exception>
    public HeyGenVideoService(BaseAvatarApi api, IAvatarMediaConnector mediaConnector, HeyGenVideoServiceOptions? options = null, string? name = null)
        : this(new HeyGenSessionFactory(Check(api, mediaConnector), mediaConnector, options ?? new HeyGenVideoServiceOptions()), name)
    {
    }

    /// <summary>
    /// Creates a service in direct-room mode (<see cref="HeyGenVideoServiceOptions.MediaMode"/> =
    /// <see cref="AvatarMediaMode.DirectRoom"/>), which joins no room and so needs no media connector.
    /// </summary>
    /// <param name="api">The avatar provider's REST client: a <see cref="HeyGenApi"/> or a <see cref="LiveAvatarApi"/>.</param>
    /// <param name="options">Settings, with <see cref="HeyGenVideoServiceOptions.MediaMode"/> = DirectRoom; validated here.</param>
    /// <param name="name">Name for logs; defaults to <c>HeyGenVideoService#N</c>.</param>
    /// <exception cref="ArgumentException">The options are in relay mode, which needs a media connector.</exception>
    public HeyGenVideoService(BaseAvatarApi api, HeyGenVideoServiceOptions options, string? name = null)
        : this(new HeyGenSessionFactory(CheckDirect(api, options), null, options), name)
    {
    }

    private HeyGenVideoService(HeyGenSessionFactory sessions, string? name)
        : base(sessions, sessions.Options, name)
    {
    }

    private static BaseAvatarApi Check(BaseAvatarApi api, IAvatarMediaConnector mediaConnector)
    {
        ArgumentNullException.ThrowIfNull(api, nameof(api));
        if (mediaConnector is null)
        {
            throw new ArgumentNullException(nameof(mediaConnector),
                "Pass an IAvatarMediaConnector: a LiveKitAvatarMediaConnector (Pipeline.LiveKit) for real HeyGen rooms, " +
                "or the HeyGen emulator's MediaConnector for offline runs.");
        }

        return api;
    }

    private static BaseAvatarApi CheckDirect(BaseAvatarApi api, HeyGenVideoServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(api, nameof(api));
        ArgumentNullException.ThrowIfNull(options, nameof(options));
        if (options.MediaMode != AvatarMediaMode.DirectRoom)
        {
            throw new ArgumentException(
                "Without a media connector the service runs in direct-room mode only: set MediaMode = AvatarMediaMode.DirectRoom, or pass " +
                "an IAvatarMediaConnector (LiveKitAvatarMediaConnector, or the emulator's MediaConnector) to relay the avatar's media.", nameof(options));
        }

        return api;
    }

    /// <summary>Opens <see cref="HeyGenAvatarSession"/>s with the service's collaborators and settings.</summary>
    private sealed class HeyGenSessionFactory(BaseAvatarApi api, IAvatarMediaConnector? connector, HeyGenVideoServiceOptions options)
        : IAvatarSessionFactory
    {
        public HeyGenVideoServiceOptions Options => options;

        public ValueTask<IAvatarSession> OpenAsync(AvatarSessionContext context, CancellationToken cancellationToken) =>
            HeyGenAvatarSession.OpenAsync(api, connector, options, context, cancellationToken);
    }
}
