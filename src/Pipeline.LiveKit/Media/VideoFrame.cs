using Pipeline.Core.Frames;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// A decoded video frame in the engine's memory. Its pixels are exposed without copying and stay valid until the
/// frame is disposed; dispose every frame promptly (a 720p frame holds 1.4 to 3.7 MB of native memory).
/// </summary>
public sealed class VideoFrame : IDisposable
{
    private readonly FfiHandle _handle;
    private readonly VideoBufferInfo _info;
    private readonly VideoPlane[] _planes;
    private readonly ReadOnlyMemory<byte> _packed;

    internal VideoFrame(OwnedVideoBuffer buffer, PixelFormat format, long timestampMicroseconds, VideoRotation rotation)
    {
        _handle = FfiHandle.Own(buffer.Handle);
        _info = buffer.Info;
        if (format == PixelFormat.I420 ? _info.Components.Count < 3 : _info.DataPtr == 0)
        {
            _handle.Dispose();
            throw new LiveKitException($"The engine described a {format} frame without its planes.");
        }

        Width = (int)_info.Width;
        Height = (int)_info.Height;
        Format = format;
        TimestampMicroseconds = timestampMicroseconds;
        RotationDegrees = (int)rotation * 90;
        var probe = new SafeHandleProbe(_handle);
        if (format == PixelFormat.I420)
        {
            int chromaWidth = (Width + 1) / 2;
            int chromaHeight = (Height + 1) / 2;
            _planes = new VideoPlane[3];
            for (int i = 0; i < 3; i++)
            {
                VideoBufferInfo.Types.ComponentInfo component = _info.Components[i];
                int rows = i == 0 ? Height : chromaHeight;
                int rowBytes = i == 0 ? Width : chromaWidth;
                var memory = new NativeBufferMemory(component.DataPtr, (int)component.Size, probe).Memory;
                _planes[i] = new VideoPlane(memory, (int)component.Stride, rowBytes, rows);
            }

            bool tight = _planes[0].Stride == Width && _planes[1].Stride == chromaWidth && _planes[2].Stride == chromaWidth;
            ulong y = _info.Components[0].DataPtr;
            bool contiguous = _info.Components[1].DataPtr == y + (ulong)(Width * Height) &&
                _info.Components[2].DataPtr == _info.Components[1].DataPtr + (ulong)(chromaWidth * chromaHeight);
            if (tight && contiguous)
            {
                _packed = new NativeBufferMemory(y, PixelFormats.BufferSize(format, Width, Height), probe).Memory;
            }
        }
        else
        {
            int rowBytes = Width * VideoBufferLayout.BytesPerPixel(format);
            int stride = _info.HasStride && _info.Stride != 0 ? (int)_info.Stride : rowBytes;
            var memory = new NativeBufferMemory(_info.DataPtr, checked(stride * Height), probe).Memory;
            _planes = [new VideoPlane(memory, stride, rowBytes, Height)];
            if (stride == rowBytes)
            {
                _packed = memory;
            }
        }

        IsPacked = !_packed.IsEmpty;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Pixel layout.</summary>
    public PixelFormat Format { get; }

    /// <summary>
    /// The engine's timestamp, in microseconds. It is on the receiver's (or source's) monotonic clock, not the
    /// sender's: use differences between frames only.
    /// </summary>
    public long TimestampMicroseconds { get; }

    /// <summary>Clockwise rotation the sender asked for, in degrees (0, 90, 180 or 270).</summary>
    public int RotationDegrees { get; }

    /// <summary>The planes (one for RGB24/RGBA; Y, U, V for I420), over the frame's native memory.</summary>
    public IReadOnlyList<VideoPlane> Planes => _planes;

    /// <summary>Whether the pixels are tightly packed and contiguous, so <see cref="PackedData"/> is available.</summary>
    public bool IsPacked { get; }

    /// <summary>Bytes of the tightly packed image.</summary>
    public int PackedLength => PixelFormats.BufferSize(Format, Width, Height);

    /// <summary>The tightly packed pixels, over native memory (no copy).</summary>
    /// <exception cref="InvalidOperationException">The frame has row padding or split planes; use <see cref="CopyTo"/>.</exception>
    public ReadOnlyMemory<byte> PackedData => IsPacked
        ? _packed
        : throw new InvalidOperationException("This frame's rows are padded or its planes are not contiguous; use CopyTo.");

    /// <summary>Copies the pixels tightly packed into <paramref name="destination"/> (at least <see cref="PackedLength"/> bytes).</summary>
    public void CopyTo(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (destination.Length < PackedLength)
        {
            throw new ArgumentException($"The destination needs {PackedLength} bytes.", nameof(destination));
        }

        if (IsPacked)
        {
            _packed.Span.CopyTo(destination);
            return;
        }

        int offset = 0;
        foreach (VideoPlane plane in _planes)
        {
            ReadOnlySpan<byte> source = plane.Data.Span;
            for (int row = 0; row < plane.Rows; row++)
            {
                source.Slice(row * plane.Stride, plane.RowBytes).CopyTo(destination[offset..]);
                offset += plane.RowBytes;
            }
        }
    }

    /// <summary>Converts the frame with the engine's libyuv into a new frame that the caller must dispose.</summary>
    /// <exception cref="LiveKitException">The engine does not support the conversion.</exception>
    public VideoFrame ConvertTo(PixelFormat format)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        bool added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            return VideoConverter.Convert(_info, format, TimestampMicroseconds);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Releases the frame's native memory.</summary>
    public void Dispose() => _handle.Dispose();
}
