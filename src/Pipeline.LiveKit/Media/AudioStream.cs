using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// The decoded audio of one track (remote or local) at a chosen rate and channel count, in order, until the track
/// ends or the stream is disposed. One reader. Every frame read must be disposed.
/// </summary>
public sealed class AudioStream : IDisposable, IFfiEventSink
{
    private readonly FfiHandle _handle;
    private readonly NativeFrameChannel<AudioFrame> _frames;

    private AudioStream(FfiHandle handle, AudioStreamOptions options)
    {
        _handle = handle;
        _frames = new NativeFrameChannel<AudioFrame>(options.Capacity);
    }

    /// <summary>Blocks delivered by the engine so far.</summary>
    public long ReceivedFrames => _frames.Received;

    /// <summary>Blocks dropped because the reader fell behind.</summary>
    public long DroppedFrames => _frames.Dropped;

    /// <summary>Opens a stream on <paramref name="track"/>.</summary>
    public static AudioStream Create(Track track, AudioStreamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(track);
        options ??= new AudioStreamOptions();
        if (options.SampleRate is < 8_000 or > 192_000 || options.Channels is < 1 or > 8 || options.Capacity < 1 || options.FrameSizeMilliseconds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Sample rate 8-192 kHz, 1-8 channels, capacity and frame size at least 1.");
        }

        if (track.Kind != TrackKind.Audio)
        {
            throw new ArgumentException($"Track {track.Sid} is not an audio track.", nameof(track));
        }

        FfiClient client = FfiClient.Instance;
        FfiResponse response = client.Request(new FfiRequest
        {
            NewAudioStream = new NewAudioStreamRequest
            {
                TrackHandle = track.HandleId,
                Type = AudioStreamType.AudioStreamNative,
                SampleRate = (uint)options.SampleRate,
                NumChannels = (uint)options.Channels,
                FrameSizeMs = (uint)options.FrameSizeMilliseconds,
            },
        });
        var stream = new AudioStream(FfiHandle.Own(response.NewAudioStream.Stream.Handle), options);
        client.Router.Register(stream._handle.Id, stream);
        return stream;
    }

    /// <summary>The blocks, until the track ends or the stream is disposed.</summary>
    public IAsyncEnumerable<AudioFrame> ReadAllAsync(CancellationToken cancellationToken = default) => _frames.ReadAllAsync(cancellationToken);

    /// <summary>Reads one block, or null when the stream has ended.</summary>
    public async ValueTask<AudioFrame?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (await _frames.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_frames.Reader.TryRead(out AudioFrame? frame))
            {
                return frame;
            }
        }

        return null;
    }

    /// <summary>Stops the stream and releases its handle and every block not read yet.</summary>
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
        AudioStreamEvent streamEvent = ffiEvent.AudioStreamEvent;
        switch (streamEvent.MessageCase)
        {
            case AudioStreamEvent.MessageOneofCase.FrameReceived:
                _frames.Offer(new AudioFrame(streamEvent.FrameReceived.Frame));
                break;
            case AudioStreamEvent.MessageOneofCase.Eos:
                _frames.Complete();
                break;
        }
    }
}
