using BenchmarkDotNet.Attributes;
using Pipeline.LiveKit;

namespace Pipeline.Benchmarks.LiveKit;

/// <summary>
/// A 10 ms block of 48 kHz mono PCM captured into an <see cref="AudioSource"/> from the caller's samples, awaited until
/// the engine has taken it. The engine plays its queue out in real time, so the run is bounded (a fixed number of
/// blocks, fewer than the 60 s queue holds) to measure our cost rather than the pacing.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[WarmupCount(2)]
[IterationCount(12)]
[InvocationCount(256)]
public class AudioCaptureBenchmarks : IDisposable
{
    private readonly short[] _pcm = new short[480];
    private AudioSource _audio = null!;

    [GlobalSetup]
    public void Setup()
    {
        LiveKitRuntime.Initialize();
        _audio = new AudioSource(48_000, 1, queueMilliseconds: 60_000);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        // AudioSource.Dispose clears the engine queue first: dropping a source with tens of seconds queued used to
        // corrupt the native heap (about one run in three).
        _audio.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One 10 ms block.</summary>
    [Benchmark]
    public Task CaptureAudio10ms() => _audio.CaptureAsync(_pcm);
}
