using HeyGenAvatarBot.Progress;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;
using Pipeline.Core.Video;

namespace HeyGenAvatarBot.Output;

/// <summary>
/// The scripted mode's output transport: records the avatar's video and speech into <c>avatar.mp4</c> through
/// <see cref="FfmpegEncoder"/> and keeps captioned thumbnails for the contact sheet. Frames are passed on.
/// </summary>
/// <remarks>
/// The file's audio is clocked by its video: each video frame carries exactly one frame's worth of the avatar's audio,
/// taken from what has arrived and padded with silence when none has (between replies). Audio and video then cover the
/// same time and stay in step however the two streams arrive.
/// </remarks>
internal sealed class Mp4Recorder(string path, double frameRate, int sampleRate, TurnTracker tracker) : FrameProcessor("Mp4Recorder")
{
    private readonly Queue<byte> _audio = new();
    private readonly int _audioPerFrame = PcmFormat.BytesFor(TimeSpan.FromSeconds(1 / frameRate), sampleRate);
    private readonly TaskCompletionSource _firstVideo = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FfmpegEncoder? _encoder;

    /// <summary>Completes when the first video frame has been recorded: the avatar session is up.</summary>
    public Task FirstVideo => _firstVideo.Task;

    public ContactSheet Sheet { get; } = new(TimeSpan.FromSeconds(0.5));

    public int VideoFrames { get; private set; }

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Why the MP4 could not be written; null when it was (or nothing was recorded).</summary>
    public string? Failure { get; private set; }

    /// <summary>Whether the MP4 was written.</summary>
    public bool Written => _encoder is not null && Failure is null;

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
                await WriteVideoAsync(image, cancellationToken);
                break;
            case SpeechOutputAudioRawFrame speech when direction == FrameDirection.Downstream:
                if (speech.SampleRate != sampleRate || speech.Channels != 1)
                {
                    throw new InvalidOperationException($"The recorder takes mono {sampleRate} Hz audio; the avatar sent {speech.Channels} channel(s) at {speech.SampleRate} Hz.");
                }

                foreach (byte b in speech.Audio.Span)
                {
                    _audio.Enqueue(b);
                }

                break;
            case EndFrame or CancelFrame:
                await FinishAsync();
                break;
            default:
                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken);
    }

    private async ValueTask WriteVideoAsync(OutputImageRawFrame image, CancellationToken cancellationToken)
    {
        if (_encoder is null)
        {
            Width = image.Width;
            Height = image.Height;
            _encoder = FfmpegEncoder.Start(path, Width, Height, frameRate, sampleRate);
        }

        if (image.Width != Width || image.Height != Height)
        {
            return; // ffmpeg was started for one size; a resized stream would need a new file
        }

        // A copy: the encoder writes it later, on its own task, and the frame's buffer is not ours to keep.
        byte[] i420 = new byte[Width * Height * 3 / 2];
        if (image.Format == PixelFormat.Rgb24)
        {
            PixelConverter.Rgb24ToI420(image.Image.Span, Width, Height, i420);
        }
        else if (image.Format == PixelFormat.I420)
        {
            image.Image.Span[..i420.Length].CopyTo(i420);
        }
        else
        {
            throw new InvalidOperationException($"The recorder takes I420 or RGB24 video; the avatar sent {image.Format}.");
        }

        await _encoder.WriteVideoAsync(i420, cancellationToken);
        byte[] audio = new byte[_audioPerFrame];
        for (int i = 0; i < audio.Length && _audio.Count > 0; i++)
        {
            audio[i] = _audio.Dequeue();
        }

        _encoder.WriteAudio(audio);
        VideoFrames++;
        _firstVideo.TrySetResult();
        Sheet.Offer(image, tracker.Elapsed);
    }

    private async Task FinishAsync()
    {
        if (_encoder is not null)
        {
            Failure ??= await _encoder.FinishAsync();
        }
    }

    protected override async ValueTask CleanupAsync()
    {
        if (_encoder is not null)
        {
            // Cancelled runs end here: close the inputs so ffmpeg still finalizes a playable file.
            await FinishAsync();
            await _encoder.DisposeAsync();
        }
    }
}
