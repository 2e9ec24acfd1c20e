using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// The decoded frames of one video track (remote or local), in order, until the track ends or the stream is
/// disposed. One reader. Every frame read must be disposed.
/// </summary>
public sealed class VideoStream : IDisposable, IFfiEventSink
{
    private readonly FfiHandle _handle;
    private readonly NativeFrameChannel<VideoFrame> _frames;
    private readonly PixelFormat _format;
    private readonly ILogger _logger;
    private long _unsupported;

    private VideoStream(FfiHandle handle, VideoStreamOptions options, ILogger logger)
    {
        _handle = handle;
        _format = options.Format;
        _logger = logger;
        _frames = new NativeFrameChannel<VideoFrame>(options.Capacity);
    }

    /// <summary>Frames delivered by the engine so far.</summary>
    public long ReceivedFrames => _frames.Received;

    /// <summary>Frames dropped because the reader fell behind.</summary>
    public long DroppedFrames => _frames.Dropped;

    /// <summary>Opens a stream on <paramref name="track"/>.</summary>
    public static VideoStream Create(Track track, VideoStreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(track);
        options ??= new VideoStreamOptions();
        if (options.Capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Capacity must be at least 1.");
        }

        if (track.Kind != TrackKind.Video)
        {
            throw new ArgumentException($"Track {track.Sid} is not a video track.", nameof(track));
        }

        FfiClient client = FfiClient.Instance;
        var request = new NewVideoStreamRequest
        {
            TrackHandle = track.HandleId,
            Type = VideoStreamType.VideoStreamNative,
            NormalizeStride = true,
        };
        if (options.Format != PixelFormat.I420)
        {
            // Left unset for I420: the decoder's buffer passes through without a conversion.
            request.Format = VideoBufferLayout.ToBufferType(options.Format);
        }

        FfiResponse response = client.Request(new FfiRequest { NewVideoStream = request });
        var stream = new VideoStream(FfiHandle.Own(response.NewVideoStream.Stream.Handle), options, client.LoggerFactory.CreateLogger<VideoStream>());
        client.Router.Register(stream._handle.Id, stream);
        return stream;
    }

    /// <summary>The frames, until the track ends or the stream is disposed.</summary>
    public IAsyncEnumerable<VideoFrame> ReadAllAsync(CancellationToken cancellationToken = default) => _frames.ReadAllAsync(cancellationToken);

    /// <summary>Reads one frame, or null when the stream has ended.</summary>
    public async ValueTask<VideoFrame?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (await _frames.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_frames.Reader.TryRead(out VideoFrame? frame))
            {
                return frame;
            }
        }

        return null;
    }

    /// <summary>Stops the stream and releases its handle and every frame not read yet.</summary>
    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        FfiClient.Instance.Router.Unregister(_handle.Id);
        _handle.Dispose();
        _frames.CompleteAndDrain();
    }

    void IFfiEventSink.Post(FfiEvent ffiEvent)
    {
        VideoStreamEvent streamEvent = ffiEvent.VideoStreamEvent;
        switch (streamEvent.MessageCase)
        {
            case VideoStreamEvent.MessageOneofCase.FrameReceived:
                VideoFrameReceived received = streamEvent.FrameReceived;
                PixelFormat? format = VideoBufferLayout.ToPixelFormat(received.Buffer.Info.Type);
                if (format is null)
                {
                    FfiClient.DropHandle(received.Buffer.Handle.Id);
                    if (Interlocked.Increment(ref _unsupported) == 1)
                    {
                        _logger.LogWarning("Video frames arrive as {Type}, which is not delivered; ask for RGB24 or RGBA", received.Buffer.Info.Type);
                    }

                    return;
                }

                _frames.Offer(new VideoFrame(received.Buffer, format.Value, received.TimestampUs, received.Rotation));
                break;
            case VideoStreamEvent.MessageOneofCase.Eos:
                _frames.Complete();
                break;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"VideoStream({_format})";
}
