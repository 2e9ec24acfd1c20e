using System.Runtime.InteropServices;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// A block of decoded audio in the engine's memory: interleaved signed 16-bit PCM, exposed without copying and valid
/// until the frame is disposed.
/// </summary>
public sealed class AudioFrame : IDisposable
{
    private readonly FfiHandle _handle;

    internal AudioFrame(OwnedAudioFrameBuffer buffer)
    {
        _handle = FfiHandle.Own(buffer.Handle);
        AudioFrameBufferInfo info = buffer.Info;
        SampleRate = (int)info.SampleRate;
        Channels = (int)info.NumChannels;
        SamplesPerChannel = (int)info.SamplesPerChannel;
        int length = checked(Channels * SamplesPerChannel * sizeof(short));
        Data = new NativeBufferMemory(info.DataPtr, length, new SafeHandleProbe(_handle)).Memory;
    }

    /// <summary>Interleaved signed 16-bit little-endian PCM.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The samples as 16-bit values (interleaved).</summary>
    public ReadOnlySpan<short> Samples => MemoryMarshal.Cast<byte, short>(Data.Span);

    /// <summary>Sample rate, in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Channel count.</summary>
    public int Channels { get; }

    /// <summary>Samples in each channel.</summary>
    public int SamplesPerChannel { get; }

    /// <summary>Duration of the block.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(SamplesPerChannel * TimeSpan.TicksPerSecond / Math.Max(1, SampleRate));

    /// <summary>Releases the block's native memory.</summary>
    public void Dispose() => _handle.Dispose();
}
