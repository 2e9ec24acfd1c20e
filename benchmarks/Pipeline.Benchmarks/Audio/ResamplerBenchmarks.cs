using BenchmarkDotNet.Attributes;
using Pipeline.Core.Audio;

namespace Pipeline.Benchmarks.Audio;

/// <summary>
/// Streaming resampling of one second of speech-band audio in 20 ms chunks (as TTS frames arrive).
/// Samples per second = input samples / mean time.
/// </summary>
[MemoryDiagnoser]
public class ResamplerBenchmarks
{
    private byte[] _input = null!;
    private byte[] _output = null!;
    private StreamingResampler _resampler = null!;
    private int _chunkBytes;

    [Params(16_000, 48_000)]
    public int InputRate { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _input = Pcm16.Sine(440, TimeSpan.FromSeconds(1), InputRate);
        _resampler = new StreamingResampler(InputRate, 24_000);
        _chunkBytes = PcmFormat.BytesFor(TimeSpan.FromMilliseconds(20), InputRate);
        _output = new byte[_resampler.MaxOutputBytes(_chunkBytes)];
    }

    [Benchmark(Description = "1 s of audio to 24 kHz in 20 ms chunks")]
    public int OneSecondTo24k()
    {
        int total = 0;
        for (int offset = 0; offset < _input.Length; offset += _chunkBytes)
        {
            total += _resampler.Resample(_input.AsSpan(offset, _chunkBytes), _output);
        }

        return total;
    }

    [GlobalCleanup]
    public void Cleanup() => _resampler.Dispose();
}
