using BenchmarkDotNet.Attributes;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.LiveKit;

namespace Pipeline.Benchmarks.LiveKit;

/// <summary>
/// The 720p hop from a frame in the engine's memory to the <see cref="OutputImageRawFrame"/> that leaves the video
/// service: the engine's I420-to-RGB24 conversion (done on its own thread when a stream asks for RGB24), the
/// zero-copy wrap into the media seam's <see cref="RemoteVideoBuffer"/>, and the one copy into the output frame.
/// </summary>
[MemoryDiagnoser]
public class VideoHopBenchmarks : IDisposable
{
    private const int Width = 1280;
    private const int Height = 720;
    private byte[] _i420 = [];
    private VideoFrame _nativeRgb = null!;
    private VideoSource _source = null!;
    private LocalVideoTrack _track = null!;
    private VideoStream _stream = null!;

    [GlobalSetup]
    public void Setup()
    {
        LiveKitRuntime.Initialize();
        _i420 = new byte[PixelFormats.BufferSize(PixelFormat.I420, Width, Height)];
        Random.Shared.NextBytes(_i420);
        _nativeRgb = VideoConverter.Convert(_i420, Width, Height, PixelFormat.I420, PixelFormat.Rgb24);
        _source = new VideoSource(Width, Height);
        _track = LocalVideoTrack.Create("bench", _source);
        _stream = VideoStream.Create(_track, new VideoStreamOptions { Format = PixelFormat.Rgb24, Capacity = 2 });
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _stream.Dispose();
        _track.Dispose();
        _source.Dispose();
        _nativeRgb.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>libyuv I420 to RGB24 at 720p: the engine's per-frame work for an RGB24 stream.</summary>
    [Benchmark]
    public int EngineConvertI420ToRgb24()
    {
        using VideoFrame rgb = VideoConverter.Convert(_i420, Width, Height, PixelFormat.I420, PixelFormat.Rgb24);
        return rgb.PackedLength;
    }

    /// <summary>The hop itself: native frame to seam frame (no copy) to OutputImageRawFrame (one copy).</summary>
    [Benchmark(Baseline = true)]
    public OutputImageRawFrame HopNativeToOutputImage()
    {
        using var seam = new RemoteVideoBuffer(_nativeRgb.PackedData, Width, Height, PixelFormat.Rgb24, TimeSpan.Zero);
        return new OutputImageRawFrame(seam.Data.ToArray(), seam.Width, seam.Height, seam.Format);
    }

    /// <summary>
    /// The same hop into an uninitialised array: a 2.7 MB frame is a large-object allocation, and zeroing it costs as
    /// much as the copy that overwrites it.
    /// </summary>
    [Benchmark]
    public OutputImageRawFrame HopNativeToOutputImageUninitialized()
    {
        using var seam = new RemoteVideoBuffer(_nativeRgb.PackedData, Width, Height, PixelFormat.Rgb24, TimeSpan.Zero);
        byte[] pixels = GC.AllocateUninitializedArray<byte>(seam.Data.Length);
        seam.Data.Span.CopyTo(pixels);
        return new OutputImageRawFrame(pixels, seam.Width, seam.Height, seam.Format);
    }

    /// <summary>
    /// The hop as the avatar media path does it now: the native frame copied once into a pooled
    /// <see cref="FrameBuffer"/> that becomes the output frame, released by its last consumer (here at once).
    /// </summary>
    [Benchmark]
    public int HopNativeToPooledOutputImage()
    {
        var frame = new OutputImageRawFrame(FrameBufferPool.Shared.RentCopy(_nativeRgb.PackedData.Span), Width, Height, PixelFormat.Rgb24);
        int width = frame.Width;
        frame.Release();
        return width;
    }

    /// <summary>
    /// The whole local path per frame: capture 720p I420 into a source, the engine's track and RGB24 stream, the
    /// callback, the channel, and the hop to an OutputImageRawFrame.
    /// </summary>
    [Benchmark]
    public async Task<int> LoopbackCaptureToOutputImage()
    {
        _source.Capture(_i420, Width, Height, PixelFormat.I420);
        using VideoFrame frame = (await _stream.ReadAsync())!;
        var output = new OutputImageRawFrame(frame.PackedData.ToArray(), frame.Width, frame.Height, frame.Format);
        return output.Width;
    }
}
