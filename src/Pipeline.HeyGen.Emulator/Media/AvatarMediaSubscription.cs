using System.Buffers;
using System.Threading.Channels;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;

namespace Pipeline.HeyGen.Emulator.Media;

/// <summary>
/// One reader of an <see cref="EmulatedAvatar"/>'s media: video in the reader's pixel format and audio at the
/// reader's rate. Frames live in pooled buffers (video in the reader's <see cref="FrameBufferPool"/>) returned when the reader disposes them. Both queues are bounded: a slow
/// reader loses the oldest frames and blocks (as a live stream would, counted in <see cref="VideoFramesDropped"/> and
/// <see cref="AudioBlocksDropped"/>) and never blocks the avatar.
/// </summary>
internal sealed class AvatarMediaSubscription : IAsyncDisposable
{
    private readonly EmulatedAvatar _avatar;
    private readonly FrameBufferPool _framePool;
    private readonly Channel<RemoteVideoBuffer> _video;
    private readonly Channel<RemoteAudioBuffer> _audio;
    private readonly StreamingResampler _resampler;
    private readonly Lock _audioLock = new();
    private long _videoDropped;
    private long _audioDropped;
    private int _completed;

    internal AvatarMediaSubscription(
        EmulatedAvatar avatar, PixelFormat videoFormat, int audioSampleRate, int audioChannels, int videoQueueFrames, int audioQueueBlocks, FrameBufferPool framePool)
    {
        PcmFormat.Validate(0, audioSampleRate, audioChannels);
        if (audioChannels > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(audioChannels), audioChannels, "The avatar publishes mono or stereo audio.");
        }

        _avatar = avatar;
        _framePool = framePool;
        VideoFormat = videoFormat;
        AudioSampleRate = audioSampleRate;
        AudioChannels = audioChannels;
        _resampler = new StreamingResampler(EmulatedAvatarOptions.SpeechSampleRate, audioSampleRate);
        _video = Channel.CreateBounded<RemoteVideoBuffer>(
            new BoundedChannelOptions(videoQueueFrames) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            dropped =>
            {
                Interlocked.Increment(ref _videoDropped);
                dropped.Dispose();
            });

        _audio = Channel.CreateBounded<RemoteAudioBuffer>(
            new BoundedChannelOptions(audioQueueBlocks) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            dropped =>
            {
                Interlocked.Increment(ref _audioDropped);
                dropped.Dispose();
            });
    }

    /// <summary>Pixel format of the delivered video.</summary>
    public PixelFormat VideoFormat { get; }

    /// <summary>Sample rate of the delivered audio, in Hz.</summary>
    public int AudioSampleRate { get; }

    /// <summary>Channel count of the delivered audio.</summary>
    public int AudioChannels { get; }

    /// <summary>Video frames dropped because the reader fell behind.</summary>
    public long VideoFramesDropped => Interlocked.Read(ref _videoDropped);

    /// <summary>Audio blocks dropped because the reader fell behind.</summary>
    public long AudioBlocksDropped => Interlocked.Read(ref _audioDropped);

    /// <summary>Whether the avatar left (its session ended).</summary>
    public bool AvatarLeft { get; private set; }

    /// <summary>The video frames.</summary>
    public ChannelReader<RemoteVideoBuffer> Video => _video.Reader;

    /// <summary>The audio frames.</summary>
    public ChannelReader<RemoteAudioBuffer> Audio => _audio.Reader;

    /// <summary>Stops delivery and releases every undelivered frame.</summary>
    public ValueTask DisposeAsync()
    {
        _avatar.Unsubscribe(this);
        Complete(avatarLeft: false);
        while (_video.Reader.TryRead(out RemoteVideoBuffer? frame))
        {
            frame.Dispose();
        }

        while (_audio.Reader.TryRead(out RemoteAudioBuffer? block))
        {
            block.Dispose();
        }

        lock (_audioLock)
        {
            _resampler.Dispose();
        }

        return default;
    }

    internal void Complete(bool avatarLeft)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            AvatarLeft = avatarLeft;
            _video.Writer.TryComplete();
            _audio.Writer.TryComplete();
        }
    }

    internal void DeliverAudio(ReadOnlySpan<byte> speech24k, TimeSpan timestamp)
    {
        lock (_audioLock)
        {
            if (Volatile.Read(ref _completed) != 0)
            {
                return;
            }

            int monoBytes = _resampler.MaxOutputBytes(speech24k.Length);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(monoBytes * AudioChannels);
            int n = _resampler.Resample(speech24k, buffer);
            if (AudioChannels == 2)
            {
                // Widen in place from the end so no sample is overwritten before it is copied.
                for (int i = (n / 2) - 1; i >= 0; i--)
                {
                    buffer[(i * 4) + 2] = buffer[i * 2];
                    buffer[(i * 4) + 3] = buffer[(i * 2) + 1];
                    buffer[i * 4] = buffer[i * 2];
                    buffer[(i * 4) + 1] = buffer[(i * 2) + 1];
                }

                n *= 2;
            }

            var frame = new RemoteAudioBuffer(buffer.AsMemory(0, n), AudioSampleRate, AudioChannels, timestamp, new PooledBuffer(buffer));
            if (!_audio.Writer.TryWrite(frame))
            {
                frame.Dispose();
            }
        }
    }

    internal void DeliverVideo(AvatarRenderer renderer, AvatarPose pose, TimeSpan timestamp, byte[] rgbScratch)
    {
        if (Volatile.Read(ref _completed) != 0)
        {
            return;
        }

        // Rendered straight into a pooled frame buffer that the reader can pass on into the pipeline without a copy.
        FrameBuffer buffer = _framePool.Rent(PixelFormats.BufferSize(VideoFormat, renderer.Width, renderer.Height));
        renderer.Render(pose, VideoFormat, buffer.Span, rgbScratch);
        var frame = new RemoteVideoBuffer(buffer, renderer.Width, renderer.Height, VideoFormat, timestamp);
        if (!_video.Writer.TryWrite(frame))
        {
            frame.Dispose();
        }
    }

    private sealed class PooledBuffer(byte[] buffer) : IDisposable
    {
        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }
}
