using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Realtime;

namespace Pipeline.HeyGen.Video;

/// <summary>Settings of a <see cref="HeyGenVideoService"/>: HeyGen's own, on top of the avatar service's (<see cref="AvatarVideoServiceOptions"/>).</summary>
public sealed class HeyGenVideoServiceOptions : AvatarVideoServiceOptions
{
    /// <summary>The provider's session request (e.g. <c>NewSessionRequest</c>); null for the provider's defaults.</summary>
    public AvatarSessionRequest? SessionRequest { get; set; }

    /// <summary>
    /// Which realtime protocol variant the session speaks; null infers it from the service's API
    /// (<see cref="LiveAvatarApi"/> → LiveAvatar, otherwise Interactive Avatar).
    /// </summary>
    public HeyGenProduct? Product { get; set; }

    /// <summary>
    /// Where the avatar's media goes: <see cref="AvatarMediaMode.Relay"/> (the default: the bot joins the room and
    /// pushes the media as frames) or <see cref="AvatarMediaMode.DirectRoom"/> (the avatar publishes straight into the
    /// user's room; no media connector is used and no media frames are pushed). See docs/avatar-modes.md.
    /// </summary>
    public AvatarMediaMode MediaMode { get; set; } = AvatarMediaMode.Relay;

    /// <summary>Realtime websocket settings (pacing, readiness, reconnects, keep-alive). Copied per session; its
    /// <see cref="HeyGenRealtimeOptions.SpeakChunkDuration"/> is set from <see cref="Chunk"/>.</summary>
    public HeyGenRealtimeOptions Realtime { get; set; } = new();

    /// <summary>Audio buffered before an utterance's first <c>agent.speak</c>. Default 400 ms.</summary>
    public TimeSpan FirstChunk { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Audio per later <c>agent.speak</c>. Default 1 s.</summary>
    public TimeSpan Chunk { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Join the room with the client token (true, the default: the bot stands in for the user, whose own media
    /// goes elsewhere) or with the LiveKit agent token (false: a real user joins the room with the client token).
    /// </summary>
    public bool ConnectAsUser { get; set; } = true;

    /// <summary>Pixel format of the <see cref="OutputImageRawFrame"/>s emitted. Default <see cref="PixelFormat.Rgb24"/>.</summary>
    public PixelFormat VideoFormat { get; set; } = PixelFormat.Rgb24;

    /// <summary>
    /// The pool the avatar's video frames are delivered in: each <see cref="OutputImageRawFrame"/> owns a reference to a
    /// pooled buffer, returned when the last consumer is done (docs/frame-buffers.md). Default
    /// <see cref="FrameBufferPool.Shared"/>; give the service a pool of its own to watch its counters.
    /// </summary>
    public FrameBufferPool FramePool { get; set; } = FrameBufferPool.Shared;

    /// <summary>Sample rate of the avatar audio emitted, in Hz; null uses the <see cref="StartFrame"/>'s output rate.</summary>
    public int? AudioSampleRate { get; set; }

    /// <summary>Channel count of the avatar audio emitted. Default 1.</summary>
    public int AudioChannels { get; set; } = 1;

    /// <summary>
    /// Identity of the room participant whose media is the avatar's. Null (the default) takes it from the session:
    /// <c>heygen</c> in rooms HeyGen or LiveAvatar manage; with a LiveAvatar room of your own
    /// (<see cref="LiveAvatarNewSessionRequest.LiveKitConfig"/>), the identity in its <c>livekit_client_token</c>.
    /// </summary>
    public string? AvatarIdentity { get; set; }

    /// <summary>
    /// The bot's own token for a room you supplied (LiveAvatar <c>livekit_config</c>), where the session hands out no
    /// token for the bot; null uses the session's tokens (see <see cref="ConnectAsUser"/>). Secret: never logged.
    /// </summary>
    public string? RoomToken { get; set; }

    /// <summary>
    /// How long after the room was joined the avatar's first video or audio may take before a (non-fatal) error names
    /// the identity waited for and what to check. Default 20 s.
    /// </summary>
    public TimeSpan AvatarMediaTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long joining the room may take. Default 15 s.</summary>
    public TimeSpan MediaConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long closing the session (websocket, room, REST stop) may take. Default 30 s: long enough for the API
    /// client to retry a stop whose first attempt timed out (10 s per attempt by default), so that one slow answer
    /// does not leave the session billed until HeyGen's idle timeout.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A shallow copy (the session request and realtime options are shared).</summary>
    public HeyGenVideoServiceOptions Clone() => (HeyGenVideoServiceOptions)MemberwiseClone();

    /// <summary>The same checks, for the options system (<see cref="HeyGenVideoServiceOptionsValidator"/>).</summary>
    internal void ValidateForOptions() => Validate();

    /// <inheritdoc />
    protected override void Validate()
    {
        base.Validate();
        ArgumentNullException.ThrowIfNull(Realtime);
        ArgumentNullException.ThrowIfNull(FramePool);
        CheckPositive(FirstChunk, nameof(FirstChunk), TimeSpan.FromSeconds(10));
        CheckPositive(Chunk, nameof(Chunk), TimeSpan.FromSeconds(10));
        CheckPositive(MediaConnectTimeout, nameof(MediaConnectTimeout), TimeSpan.FromMinutes(5));
        CheckPositive(CloseTimeout, nameof(CloseTimeout), TimeSpan.FromMinutes(5));
        CheckPositive(AvatarMediaTimeout, nameof(AvatarMediaTimeout), TimeSpan.FromMinutes(10));
        if (AvatarIdentity is { } identity && string.IsNullOrWhiteSpace(identity))
        {
            throw new ArgumentException("AvatarIdentity must not be blank; leave it null to take it from the session.", nameof(AvatarIdentity));
        }
        if (AudioSampleRate is { } rate)
        {
            Core.Audio.PcmFormat.Validate(0, rate, 1);
        }

        if (AudioChannels is < 1 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(AudioChannels), AudioChannels, "Avatar audio is mono or stereo.");
        }

        if (!Enum.IsDefined(VideoFormat))
        {
            throw new ArgumentOutOfRangeException(nameof(VideoFormat), VideoFormat, "Unknown pixel format.");
        }

        Realtime.Validate();
        SessionRequest?.Validate(); // before a billed session is opened, not after
        DirectRoomRules.Validate(this);
        if (SessionRequest is NewSessionRequest { ActivityIdleTimeout: { } idleSeconds } && Realtime.IdleTimeout is null)
        {
            // The session's keep-alive follows the requested idle timeout: check that combination now, not after a
            // billed session was opened.
            HeyGenRealtimeOptions derived = Realtime.Clone();
            derived.IdleTimeout = TimeSpan.FromSeconds(idleSeconds);
            derived.Validate();
        }
    }
}
