using Pipeline.Core.Frames;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;
using ComponentInfo = Pipeline.LiveKit.Protocol.VideoBufferInfo.Types.ComponentInfo;

namespace Pipeline.LiveKit;

/// <summary>
/// A source of locally produced video frames, for a <see cref="LocalVideoTrack"/>. Until the first capture the
/// engine emits placeholder frames at 10 fps whose pixels are undefined: uninitialised memory, seen as green
/// (all-zero YUV) or noise, not black. Streams on a local track should skip frames that precede the first capture.
/// </summary>
/// <remarks>
/// Capturing reads the caller's memory in place (pinned for the call; the engine copies it into its own frame before
/// returning) and reuses one request per source, so a steady capture loop allocates nothing managed per frame.
/// Captures on one source are serialised.
/// </remarks>
public sealed class VideoSource : IDisposable
{
    private readonly FfiHandle _handle;
    private readonly object _captureGate = new();
    private readonly FfiRequest _planarRequest;
    private readonly FfiRequest _packedRequest;

    /// <summary>Creates a source of the given resolution, in pixels.</summary>
    public VideoSource(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        FfiResponse response = FfiClient.Instance.Request(new FfiRequest
        {
            NewVideoSource = new NewVideoSourceRequest
            {
                Type = VideoSourceType.VideoSourceNative,
                Resolution = new VideoSourceResolution { Width = (uint)width, Height = (uint)height },
            },
        });
        _handle = FfiHandle.Own(response.NewVideoSource.Source.Handle);
        Width = width;
        Height = height;
        _planarRequest = NewCaptureRequest(_handle.Id, planes: 3);
        _packedRequest = NewCaptureRequest(_handle.Id, planes: 0);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    internal ulong HandleId
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.Id;
        }
    }

    /// <summary>
    /// Captures one frame of tightly packed <see cref="PixelFormat.Rgba32"/> or <see cref="PixelFormat.I420"/>
    /// pixels (an RGBA frame is converted to I420 by the engine; I420 goes in as it is).
    /// </summary>
    /// <param name="pixels">The image.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="format">RGBA or I420 (the engine's RGB24 capture is not supported).</param>
    /// <param name="timestampMicroseconds">Capture time in microseconds (the engine realigns it to its own clock).</param>
    public void Capture(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, long timestampMicroseconds = 0)
    {
        if (format == PixelFormat.Rgb24)
        {
            throw new NotSupportedException("Capture RGBA or I420; the engine's capture path does not take RGB24.");
        }

        if (pixels.Length != PixelFormats.BufferSize(format, width, height))
        {
            throw new ArgumentException($"A {width}x{height} {format} image needs {PixelFormats.BufferSize(format, width, height)} bytes.", nameof(pixels));
        }

        if (format == PixelFormat.I420)
        {
            int chromaWidth = (width + 1) / 2;
            int lumaSize = width * height;
            int chromaSize = chromaWidth * ((height + 1) / 2);
            CaptureI420(
                pixels[..lumaSize], width, pixels.Slice(lumaSize, chromaSize), chromaWidth, pixels.Slice(lumaSize + chromaSize, chromaSize), chromaWidth,
                width, height, timestampMicroseconds);
            return;
        }

        CaptureRgba(pixels, width * 4, width, height, timestampMicroseconds);
    }

    /// <summary>Captures one I420 frame from three planes in the caller's memory (rows may be padded).</summary>
    /// <param name="y">The luma plane: <paramref name="strideY"/> × <paramref name="height"/> bytes.</param>
    /// <param name="strideY">Bytes from one luma row to the next (at least <paramref name="width"/>).</param>
    /// <param name="u">The U plane: <paramref name="strideU"/> × ⌈<paramref name="height"/>/2⌉ bytes.</param>
    /// <param name="strideU">Bytes from one U row to the next (at least ⌈<paramref name="width"/>/2⌉).</param>
    /// <param name="v">The V plane, laid out like <paramref name="u"/>.</param>
    /// <param name="strideV">Bytes from one V row to the next.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="timestampMicroseconds">Capture time in microseconds (the engine realigns it to its own clock).</param>
    public unsafe void CaptureI420(
        ReadOnlySpan<byte> y, int strideY, ReadOnlySpan<byte> u, int strideU, ReadOnlySpan<byte> v, int strideV, int width, int height, long timestampMicroseconds = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        CheckPlane(y, strideY, width, height, nameof(y));
        CheckPlane(u, strideU, chromaWidth, chromaHeight, nameof(u));
        CheckPlane(v, strideV, chromaWidth, chromaHeight, nameof(v));
        fixed (byte* yData = y)
        fixed (byte* uData = u)
        fixed (byte* vData = v)
        {
            lock (_captureGate)
            {
                VideoBufferInfo buffer = _planarRequest.CaptureVideoFrame.Buffer;
                buffer.Type = VideoBufferType.I420;
                buffer.Width = (uint)width;
                buffer.Height = (uint)height;
                buffer.DataPtr = (ulong)yData;
                SetPlane(buffer.Components[0], yData, strideY, height);
                SetPlane(buffer.Components[1], uData, strideU, chromaHeight);
                SetPlane(buffer.Components[2], vData, strideV, chromaHeight);
                Send(_planarRequest, timestampMicroseconds);
            }
        }
    }

    /// <summary>Captures one RGBA frame (bytes R, G, B, A) from the caller's memory; the engine converts it to I420.</summary>
    /// <param name="pixels">The image: <paramref name="stride"/> × <paramref name="height"/> bytes.</param>
    /// <param name="stride">Bytes from one row to the next (at least 4 × <paramref name="width"/>).</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="timestampMicroseconds">Capture time in microseconds (the engine realigns it to its own clock).</param>
    public unsafe void CaptureRgba(ReadOnlySpan<byte> pixels, int stride, int width, int height, long timestampMicroseconds = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CheckPlane(pixels, stride, width * 4, height, nameof(pixels));
        fixed (byte* data = pixels)
        {
            lock (_captureGate)
            {
                VideoBufferInfo buffer = _packedRequest.CaptureVideoFrame.Buffer;
                buffer.Type = VideoBufferType.Rgba;
                buffer.Width = (uint)width;
                buffer.Height = (uint)height;
                buffer.DataPtr = (ulong)data;
                buffer.Stride = (uint)stride;
                Send(_packedRequest, timestampMicroseconds);
            }
        }
    }

    /// <summary>Releases the source.</summary>
    public void Dispose() => _handle.Dispose();

    private void Send(FfiRequest request, long timestampMicroseconds)
    {
        // Held across the call so a concurrent Dispose cannot drop the source while the engine reads from it.
        bool added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            request.CaptureVideoFrame.TimestampUs = timestampMicroseconds;
            FfiClient.Instance.Send(request, FfiResponse.CaptureVideoFrameFieldNumber);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private static FfiRequest NewCaptureRequest(ulong source, int planes)
    {
        var buffer = new VideoBufferInfo();
        for (int i = 0; i < planes; i++)
        {
            buffer.Components.Add(new ComponentInfo());
        }

        return new FfiRequest
        {
            CaptureVideoFrame = new CaptureVideoFrameRequest { SourceHandle = source, Buffer = buffer, Rotation = VideoRotation._0 },
        };
    }

    private static unsafe void SetPlane(ComponentInfo component, byte* data, int stride, int rows)
    {
        component.DataPtr = (ulong)data;
        component.Stride = (uint)stride;
        component.Size = (uint)(stride * rows);
    }

    private static void CheckPlane(ReadOnlySpan<byte> plane, int stride, int rowBytes, int rows, string name)
    {
        if (stride < rowBytes || (long)stride * rows > plane.Length)
        {
            throw new ArgumentException(
                $"Plane {name} needs a stride of at least {rowBytes} bytes and {rows} rows of it ({(long)Math.Max(stride, rowBytes) * rows} bytes); it has stride {stride} and {plane.Length} bytes.",
                name);
        }
    }
}
