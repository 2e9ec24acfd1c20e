using BenchmarkDotNet.Attributes;
using Pipeline.Core.Audio;
using Pipeline.Silero;

namespace Pipeline.Benchmarks.Speech;

/// <summary>
/// Silero VAD cost. <c>OneWindow</c>: one 32 ms window through the ONNX model (the unit of work; real-time factor =
/// mean / 32 ms). <c>OneSecond</c>: one second of 20 ms input chunks through <see cref="VoiceActivityDetector"/>
/// (conversion, windowing, volume, state machine and, at 48 kHz, resampling; real-time factor = mean / 1 s).
/// Needs the model: <c>bash build/prereqs/30-silero-vad.sh</c>.
/// </summary>
[MemoryDiagnoser]
public class SileroVadBenchmarks
{
    private SileroVadModel _model = null!;
    private SileroVadAnalyzer _analyzer = null!;
    private VoiceActivityDetector _detector = null!;
    private readonly List<VoiceActivityEvent> _events = [];
    private float[] _window = null!;
    private byte[] _second = null!;
    private int _chunkBytes;

    [Params(16_000, 8_000, 48_000)]
    public int Rate { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = SileroVadModel.Load();
        int analyzerRate = Rate == 8_000 ? 8_000 : 16_000;
        _analyzer = _model.CreateAnalyzer(analyzerRate);
        _window = new float[_analyzer.WindowSamples];
        byte[] tone = Pcm16.Sine(220, TimeSpan.FromMilliseconds(32), analyzerRate);
        for (int i = 0; i < _window.Length; i++)
        {
            _window[i] = BitConverter.ToInt16(tone, i * 2) / 32768f;
        }

        _detector = new VoiceActivityDetector(_model, Rate);
        _second = Pcm16.Sine(220, TimeSpan.FromSeconds(1), Rate);
        _chunkBytes = PcmFormat.BytesFor(TimeSpan.FromMilliseconds(20), Rate);
    }

    [Benchmark(Description = "one 32 ms window through Silero")]
    public float OneWindow() => _analyzer.Analyze(_window);

    [Benchmark(Description = "1 s of 20 ms chunks through the detector")]
    public int OneSecond()
    {
        _events.Clear();
        for (int offset = 0; offset < _second.Length; offset += _chunkBytes)
        {
            _detector.Process(_second.AsSpan(offset, _chunkBytes), _events);
        }

        return _events.Count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _detector.Dispose();
        _analyzer.Dispose();
        _model.Dispose();
    }
}
