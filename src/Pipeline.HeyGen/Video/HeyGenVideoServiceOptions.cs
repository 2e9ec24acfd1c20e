using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Realtime;

namespace Pipeline.HeyGen.Video;

/// <summary>Settings of a <see cref="HeyGenVideoService"/>.</summary>
public sealed class HeyGenVideoServiceOptions
{
    /// <summary>
    /// HeyGen API key. Used to create a <see cref="HeyGenApi"/> when <see cref="Api"/> is not set. Secret: never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The avatar provider: a <see cref="HeyGenApi"/>, a <see cref="LiveAvatarApi"/> or any other
    /// <see cref="BaseAvatarApi"/>. When null, a <see cref="HeyGenApi"/> is created from <see cref="ApiKey"/> and
    /// disposed with the service; an API given here is the caller's to dispose.
    /// </summary>
    public BaseAvatarApi? Api { get; set; }

    /// <summary>The provider's session request (e.g. <c>NewSessionRequest</c>); null for the provider's defaults.</summary>
    public AvatarSessionRequest? SessionRequest { get; set; }

    /// <summary>
    /// Joins the room where the avatar's media arrives: the LiveKit connector (<c>Pipeline.LiveKit</c>) for real
    /// sessions, or the emulator's for offline runs. Required: nothing is picked silently.
    /// </summary>
    public IAvatarMediaConnector? MediaConnector { get; set; }

    /// <summary>
    /// Which realtime protocol variant the session speaks; null infers it from <see cref="Api"/>
    /// (<see cref="LiveAvatarApi"/> → LiveAvatar, otherwise Interactive Avatar).
    /// </summary>
    public HeyGenProduct? Product { get; set; }

    /// <summary>Realtime websocket settings (pacing, readiness, reconnects, keep-alive). Copied per session.</summary>
    public HeyGenRealtimeOptions Realtime { get; set; } = new();

    /// <summary>Audio buffered before an utterance's first <c>agent.speak</c>. Default 400 ms.</summary>
    public TimeSpan FirstChunk { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Audio per later <c>agent.speak</c>. Default 1 s.</summary>
    public TimeSpan Chunk { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// For TTS services that send no <see cref="TTSStartedFrame"/>/<see cref="TTSStoppedFrame"/>: an utterance
    /// ends after this long without audio. Utterances opened by a <see cref="TTSStartedFrame"/> end only at their
    /// <see cref="TTSStoppedFrame"/>. Default 350 ms.
    /// </summary>
    public TimeSpan EndOfUtteranceTimeout { get; set; } = TimeSpan.FromMilliseconds(350);

    /// <summary>
    /// Join the room with the client token (true, the default: the bot stands in for the user, whose own media
    /// goes elsewhere) or with the LiveKit agent token (false: a real user joins the room with the client token).
    /// </summary>
    public bool ConnectAsUser { get; set; } = true;

    /// <summary>Identity of the avatar participant in the room; media of other participants is ignored. Default <c>heygen</c>.</summary>
    public string AvatarIdentity { get; set; } = "heygen";

    /// <summary>Pixel format of the <see cref="OutputImageRawFrame"/>s emitted. Default <see cref="PixelFormat.Rgb24"/>.</summary>
    public PixelFormat VideoFormat { get; set; } = PixelFormat.Rgb24;

    /// <summary>Sample rate of the avatar audio emitted, in Hz; null uses the <see cref="StartFrame"/>'s output rate.</summary>
    public int? AudioSampleRate { get; set; }

    /// <summary>Channel count of the avatar audio emitted. Default 1.</summary>
    public int AudioChannels { get; set; } = 1;

    /// <summary>
    /// Hold the avatar's media back until an <see cref="OutputTransportReadyFrame"/> has been seen (default true, as
    /// Pipecat does). Set false for an output that never sends one; media then flows as soon as it arrives.
    /// </summary>
    public bool WaitForOutputTransportReady { get; set; } = true;

    /// <summary>How long joining the room may take. Default 15 s.</summary>
    public TimeSpan MediaConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// On <see cref="EndFrame"/>, how long to let the avatar finish the speech it was given before the session is
    /// closed. Default 15 s; zero closes at once.
    /// </summary>
    public TimeSpan EndDrainTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long closing the session (websocket, room, REST stop) may take. Default 30 s: long enough for the API
    /// client to retry a stop whose first attempt timed out (10 s per attempt by default), so that one slow answer
    /// does not leave the session billed until HeyGen's idle timeout.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A shallow copy (the API, connector and realtime options are shared).</summary>
    public HeyGenVideoServiceOptions Clone() => (HeyGenVideoServiceOptions)MemberwiseClone();

    /// <summary>Throws an <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (Api is null && string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException("Set HeyGenVideoServiceOptions.ApiKey, or Api to a BaseAvatarApi.", nameof(ApiKey));
        }

        if (MediaConnector is null)
        {
            throw new ArgumentException(
                "Set HeyGenVideoServiceOptions.MediaConnector: a LiveKitAvatarMediaConnector (Pipeline.LiveKit) for real " +
                "HeyGen rooms, or the HeyGen emulator's MediaConnector for offline runs.", nameof(MediaConnector));
        }

        ArgumentNullException.ThrowIfNull(Realtime);
        CheckPositive(FirstChunk, nameof(FirstChunk), TimeSpan.FromSeconds(10));
        CheckPositive(Chunk, nameof(Chunk), TimeSpan.FromSeconds(10));
        CheckPositive(EndOfUtteranceTimeout, nameof(EndOfUtteranceTimeout), TimeSpan.FromMinutes(1));
        CheckPositive(MediaConnectTimeout, nameof(MediaConnectTimeout), TimeSpan.FromMinutes(5));
        CheckPositive(CloseTimeout, nameof(CloseTimeout), TimeSpan.FromMinutes(5));
        if (EndDrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(EndDrainTimeout), EndDrainTimeout, "Must not be negative.");
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

        ArgumentException.ThrowIfNullOrWhiteSpace(AvatarIdentity);
    }

    private static void CheckPositive(TimeSpan value, string name, TimeSpan max)
    {
        if (value <= TimeSpan.Zero || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be above zero and at most {max}.");
        }
    }
}
