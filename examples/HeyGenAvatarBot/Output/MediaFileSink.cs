using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace HeyGenAvatarBot.Output;

/// <summary>
/// The example's output transport: writes the avatar's video frames to a Y4M file and its speech to a WAV file,
/// keeps thumbnails for a contact sheet, and counts what it received. Frames are passed on.
/// </summary>
internal sealed class MediaFileSink(string directory, double frameRate) : FrameProcessor("MediaFileSink")
{
    private Y4mWriter? _video;
    private WavFile.Writer? _audio;

    public ContactSheet Sheet { get; } = new(TimeSpan.FromSeconds(0.5));

    public string VideoPath => Path.Combine(directory, "avatar.y4m");

    public string AudioPath => Path.Combine(directory, "avatar.wav");

    public int VideoFrames => _video?.Frames ?? 0;

    public TimeSpan AudioDuration => _audio?.Duration ?? TimeSpan.Zero;

    public TimeSpan? FirstVideoTimestamp { get; private set; }

    public TimeSpan? LastVideoTimestamp { get; private set; }

    public int FrameWidth => _video?.Width ?? 0;

    public int FrameHeight => _video?.Height ?? 0;

    public event Action<OutputImageRawFrame>? VideoFrameWritten;

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case StartFrame:
                // As an output transport: once started, tell the processors before it that media can flow.
                await PushFrameAsync(frame, direction, cancellationToken);
                await PushFrameAsync(new OutputTransportReadyFrame(), FrameDirection.Upstream, cancellationToken);
                return;
            case OutputImageRawFrame image when direction == FrameDirection.Downstream:
                _video ??= new Y4mWriter(VideoPath, image.Width, image.Height, frameRate);
                _video.Write(image);
                TimeSpan at = image.PresentationTimestamp ?? TimeSpan.Zero;
                FirstVideoTimestamp ??= at;
                LastVideoTimestamp = at;
                Sheet.Offer(image, at);
                VideoFrameWritten?.Invoke(image);
                break;
            case SpeechOutputAudioRawFrame audio when direction == FrameDirection.Downstream:
                _audio ??= new WavFile.Writer(AudioPath, audio.SampleRate, audio.Channels);
                _audio.Write(audio.Audio.Span);
                break;
            default:
                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken);
    }

    protected override ValueTask CleanupAsync()
    {
        _video?.Dispose();
        _audio?.Dispose();
        return default;
    }
}
