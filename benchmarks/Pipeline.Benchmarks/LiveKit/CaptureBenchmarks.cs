using BenchmarkDotNet.Attributes;
using Pipeline.Core.Frames;
using Pipeline.LiveKit;

namespace Pipeline.Benchmarks.LiveKit;

/// <summary>
/// The publish path's per-frame cost on our side: a 720p frame captured into a <see cref="VideoSource"/> straight from
/// the caller's memory (I420 planes as they are; RGBA converted to I420 by the engine's libyuv). The goal is 0 B
/// allocated per frame in steady state: the source reuses one request and reads the caller's buffer pinned in place.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CaptureBenchmarks : IDisposable
{
    private const int Width = 1280;
    private const int Height = 720;
    private byte[] _i420 = [];
    private byte[] _rgba = [];
    private VideoSource _video = null!;
    private LocalVideoTrack _videoTrack = null!;
    private long _timestamp;

    [GlobalSetup]
    public void Setup()
    {
        LiveKitRuntime.Initialize();
        _i420 = new byte[PixelFormats.BufferSize(PixelFormat.I420, Width, Height)];
        _rgba = new byte[PixelFormats.BufferSize(PixelFormat.Rgba32, Width, Height)];
        Random.Shared.NextBytes(_i420);
        Random.Shared.NextBytes(_rgba);
        _video = new VideoSource(Width, Height);
        _videoTrack = LocalVideoTrack.Create("bench", _video); // a track, as when publishing: the source has a sink
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _videoTrack.Dispose();
        _video.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>720p I420 from three planes in managed memory: the avatar's decoded frames go out this way.</summary>
    [Benchmark(Baseline = true)]
    public void CaptureI420Planes720p()
    {
        ReadOnlySpan<byte> image = _i420;
        const int luma = Width * Height;
        const int chroma = Width / 2 * (Height / 2);
        _video.CaptureI420(image[..luma], Width, image.Slice(luma, chroma), Width / 2, image.Slice(luma + chroma, chroma), Width / 2, Width, Height, _timestamp += 33_333);
    }

    /// <summary>720p RGBA (the engine converts it to I420 inside the call).</summary>
    [Benchmark]
    public void CaptureRgba720p() => _video.CaptureRgba(_rgba, Width * 4, Width, Height, _timestamp += 33_333);
}
