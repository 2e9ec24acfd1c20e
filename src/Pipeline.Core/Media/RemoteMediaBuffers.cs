using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Media;

/// <summary>
/// One video frame of the avatar, tightly packed, over memory the producer owns (pooled or native). Dispose it once
/// read; <see cref="Data"/> is invalid afterwards.
/// </summary>
public sealed class RemoteVideoBuffer : IDisposable
{
    private IDisposable? _owner;

    /// <summary>Wraps a frame; <paramref name="owner"/> (if any) is disposed with it to release the memory.</summary>
    /// <exception cref="ArgumentException">The buffer does not match the size and format.</exception>
    public RemoteVideoBuffer(ReadOnlyMemory<byte> data, int width, int height, PixelFormat format, TimeSpan timestamp, IDisposable? owner = null)
    {
        PixelFormats.Validate(data.Length, width, height, format, nameof(data));
        Data = data;
        Width = width;
        Height = height;
        Format = format;
        Timestamp = timestamp;
        _owner = owner;
    }

    /// <summary>
    /// Wraps a frame in a pooled <see cref="FrameBuffer"/> and takes over the caller's reference: the reader either
    /// takes it on into a pipeline frame (<see cref="TakeFrameBuffer"/>, no copy) or releases it by disposing.
    /// </summary>
    /// <exception cref="ArgumentException">The buffer does not match the size and format.</exception>
    public RemoteVideoBuffer(FrameBuffer buffer, int width, int height, PixelFormat format, TimeSpan timestamp)
        : this(buffer?.Memory ?? throw new ArgumentNullException(nameof(buffer)), width, height, format, timestamp, buffer)
    {
    }

    /// <summary>The pixels, tightly packed.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>
    /// Takes the frame's pooled buffer and its reference, when the frame lives in one (null otherwise: copy
    /// <see cref="Data"/> instead). Disposing this wrapper afterwards no longer releases it; the taker does.
    /// </summary>
    public FrameBuffer? TakeFrameBuffer()
    {
        IDisposable? owner = Volatile.Read(ref _owner);
        return owner is FrameBuffer pooled && Interlocked.CompareExchange(ref _owner, null, owner) == owner ? pooled : null;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Pixel layout.</summary>
    public PixelFormat Format { get; }

    /// <summary>Presentation time relative to the start of the session's media.</summary>
    public TimeSpan Timestamp { get; }

    /// <summary>Releases the frame's memory.</summary>
    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Dispose();
}

/// <summary>One block of the avatar's audio: interleaved 16-bit little-endian PCM. Dispose it once read.</summary>
public sealed class RemoteAudioBuffer : IDisposable
{
    private IDisposable? _owner;

    /// <summary>Wraps a block of audio; <paramref name="owner"/> (if any) is disposed with it.</summary>
    /// <exception cref="ArgumentException">The buffer is not whole sample frames, or the rate/channels are out of range.</exception>
    public RemoteAudioBuffer(ReadOnlyMemory<byte> pcm, int sampleRate, int channels, TimeSpan timestamp, IDisposable? owner = null)
    {
        PcmFormat.Validate(pcm.Length, sampleRate, channels, nameof(pcm));
        Pcm = pcm;
        SampleRate = sampleRate;
        Channels = channels;
        Timestamp = timestamp;
        _owner = owner;
    }

    /// <summary>Interleaved 16-bit little-endian PCM.</summary>
    public ReadOnlyMemory<byte> Pcm { get; }

    /// <summary>Sample rate, in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Channel count.</summary>
    public int Channels { get; }

    /// <summary>Presentation time relative to the start of the session's media.</summary>
    public TimeSpan Timestamp { get; }

    /// <summary>Duration of the block.</summary>
    public TimeSpan Duration => PcmFormat.DurationOf(Pcm.Length, SampleRate, Channels);

    /// <summary>Releases the block's memory.</summary>
    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Dispose();
}
