using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.LiveKit;

/// <summary>How a <see cref="LiveKitTransport"/> joins its room, whom it listens to and what it publishes (a class, not a record, so the token never appears in a ToString).</summary>
public sealed class LiveKitTransportOptions
{
    /// <summary>The LiveKit server URL (<c>wss://…</c>, or <c>ws://…</c> for a local server). Required.</summary>
    public Uri? Url { get; init; }

    /// <summary>The bot's access token for the room (it names the room and the bot's identity). Required; never logged.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// The identity of the participant whose microphone becomes the pipeline's input. Null (the default): the first
    /// participant that is a person (<see cref="ParticipantKind.Standard"/> or <see cref="ParticipantKind.Sip"/>,
    /// never an agent, ingress or egress) to be in the room or to join it.
    /// </summary>
    public string? ParticipantIdentity { get; init; }

    /// <summary>
    /// When the participant listened to leaves the room, end the pipeline with an <see cref="EndFrame"/> (after the
    /// last of its audio). Default true. When false, a <see cref="ParticipantLeftFrame"/> is all that happens and,
    /// with no <see cref="ParticipantIdentity"/>, the next person to join is listened to.
    /// </summary>
    public bool EndWhenParticipantLeaves { get; init; } = true;

    /// <summary>Sample rate of the <see cref="InputAudioRawFrame"/>s, in Hz. Null (default): the pipeline's input rate (<see cref="StartFrame.AudioInSampleRate"/>).</summary>
    public int? InputSampleRate { get; init; }

    /// <summary>Channels of the <see cref="InputAudioRawFrame"/>s (the engine remixes). Default 1.</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Duration of each <see cref="InputAudioRawFrame"/>, in milliseconds. Default 20.</summary>
    public int InputFrameMilliseconds { get; init; } = 20;

    /// <summary>Publish a video track for the <see cref="OutputImageRawFrame"/>s. Default true.</summary>
    public bool PublishVideo { get; init; } = true;

    /// <summary>Width of the published video, in pixels (even). Every <see cref="OutputImageRawFrame"/> must have this size. Default 1280.</summary>
    public int VideoWidth { get; init; } = 1280;

    /// <summary>Height of the published video, in pixels (even). Default 720.</summary>
    public int VideoHeight { get; init; } = 720;

    /// <summary>
    /// Frame rate of the published video, in frames per second: frames without a presentation timestamp are sent at
    /// most this often (frames with one are sent at their timestamp). Default 30.
    /// </summary>
    public int VideoFramesPerSecond { get; init; } = 30;

    /// <summary>Publish an audio track for the <see cref="OutputAudioRawFrame"/>s. Default true.</summary>
    public bool PublishAudio { get; init; } = true;

    /// <summary>
    /// Sample rate of the published audio, in Hz. Null (default): the pipeline's output rate
    /// (<see cref="StartFrame.AudioOutSampleRate"/>). Mono output audio at another rate is resampled.
    /// </summary>
    public int? OutputSampleRate { get; init; }

    /// <summary>Channels of the published audio; output audio must have this many. Default 1.</summary>
    public int OutputChannels { get; init; } = 1;

    /// <summary>
    /// Output audio the engine queues ahead of real time, in milliseconds: sending waits once this much is queued,
    /// and an interruption drops it. Default 200.
    /// </summary>
    public int OutputAudioQueueMilliseconds { get; init; } = 200;

    /// <summary>Name of the published video track. Default <c>bot-camera</c>.</summary>
    public string VideoTrackName { get; init; } = "bot-camera";

    /// <summary>Name of the published audio track. Default <c>bot-microphone</c>.</summary>
    public string AudioTrackName { get; init; } = "bot-microphone";

    /// <summary>How the room is joined (timeouts, retries).</summary>
    public RoomConnectOptions Room { get; init; } = new();

    internal void Validate()
    {
        if (Url is null || !Url.IsAbsoluteUri || Url.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            throw new ArgumentException("LiveKitTransportOptions.Url must be the LiveKit server's absolute ws://, wss://, http:// or https:// URL.", nameof(Url));
        }

        if (string.IsNullOrWhiteSpace(Token))
        {
            throw new ArgumentException("LiveKitTransportOptions.Token must be the bot's access token for the room (made with your LiveKit API key and secret).", nameof(Token));
        }

        if (ParticipantIdentity is { } identity && string.IsNullOrWhiteSpace(identity))
        {
            throw new ArgumentException("LiveKitTransportOptions.ParticipantIdentity must be an identity, or null for the first person in the room.", nameof(ParticipantIdentity));
        }

        if (InputSampleRate is { } inRate && (inRate < PcmFormat.MinSampleRate || inRate > PcmFormat.MaxSampleRate))
        {
            throw new ArgumentOutOfRangeException(nameof(InputSampleRate), inRate, $"The input sample rate must be {PcmFormat.MinSampleRate} to {PcmFormat.MaxSampleRate} Hz, or null for the pipeline's.");
        }

        if (OutputSampleRate is { } outRate && (outRate < PcmFormat.MinSampleRate || outRate > PcmFormat.MaxSampleRate))
        {
            throw new ArgumentOutOfRangeException(nameof(OutputSampleRate), outRate, $"The output sample rate must be {PcmFormat.MinSampleRate} to {PcmFormat.MaxSampleRate} Hz, or null for the pipeline's.");
        }

        if (InputChannels is < 1 or > 2 || OutputChannels is < 1 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(InputChannels), "Input and output audio have 1 or 2 channels.");
        }

        if (InputFrameMilliseconds is < 10 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(InputFrameMilliseconds), InputFrameMilliseconds, "Input audio frames are 10 to 100 ms long.");
        }

        if (VideoWidth is < 2 or > PixelFormats.MaxDimension || VideoHeight is < 2 or > PixelFormats.MaxDimension || VideoWidth % 2 != 0 || VideoHeight % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(VideoWidth), $"{VideoWidth}x{VideoHeight}",
                $"The published video's width and height must be even (video encoders subsample colour by 2) and 2 to {PixelFormats.MaxDimension} pixels; use the size of your video frames.");
        }

        if (VideoFramesPerSecond is < 1 or > 120)
        {
            throw new ArgumentOutOfRangeException(nameof(VideoFramesPerSecond), VideoFramesPerSecond, "The video frame rate must be 1 to 120 fps.");
        }

        if (OutputAudioQueueMilliseconds is < 10 or > 5_000)
        {
            throw new ArgumentOutOfRangeException(nameof(OutputAudioQueueMilliseconds), OutputAudioQueueMilliseconds, "The output audio queue holds 10 to 5000 ms.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(VideoTrackName, nameof(VideoTrackName));
        ArgumentException.ThrowIfNullOrWhiteSpace(AudioTrackName, nameof(AudioTrackName));
        ArgumentNullException.ThrowIfNull(Room, nameof(Room));
    }
}
