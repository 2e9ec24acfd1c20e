using Pipeline.Core.Frames;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// A source of locally produced video frames, for a <see cref="LocalVideoTrack"/>. Until the first capture the
/// engine emits placeholder frames at 10 fps whose pixels are undefined: uninitialised memory, seen as green
/// (all-zero YUV) or noise, not black. Streams on a local track should skip frames that precede the first capture.
/// </summary>
public sealed class VideoSource : IDisposable
{
    private readonly FfiHandle _handle;

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
    /// pixels; the engine copies them before returning.
    /// </summary>
    /// <param name="pixels">The image.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="format">RGBA or I420 (the engine's RGB24 capture is not supported).</param>
    /// <param name="timestampMicroseconds">Capture time in microseconds (the engine realigns it to its own clock).</param>
    public unsafe void Capture(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, long timestampMicroseconds = 0)
    {
        if (format == PixelFormat.Rgb24)
        {
            throw new NotSupportedException("Capture RGBA or I420; the engine's capture path does not take RGB24.");
        }

        if (pixels.Length != PixelFormats.BufferSize(format, width, height))
        {
            throw new ArgumentException($"A {width}x{height} {format} image needs {PixelFormats.BufferSize(format, width, height)} bytes.", nameof(pixels));
        }

        fixed (byte* data = pixels)
        {
            FfiClient.Instance.Request(new FfiRequest
            {
                CaptureVideoFrame = new CaptureVideoFrameRequest
                {
                    SourceHandle = HandleId,
                    Buffer = VideoBufferLayout.Describe((IntPtr)data, width, height, format),
                    TimestampUs = timestampMicroseconds,
                    Rotation = VideoRotation._0,
                },
            });
        }
    }

    /// <summary>Releases the source.</summary>
    public void Dispose() => _handle.Dispose();
}
