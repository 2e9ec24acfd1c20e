using System.Buffers.Binary;
using Pipeline.Core.Audio;

namespace Pipeline.Silero;

/// <summary>
/// Voice activity detection on a stream of mono 16-bit PCM at any rate: resamples to 16 kHz when the rate is not
/// 16 or 8 kHz, cuts 32 ms windows, asks Silero for each window's speech probability, gates it by loudness, and
/// reports when the user starts and stops speaking (<see cref="VadOptions"/>). Usable without a pipeline;
/// <see cref="SileroVadProcessor"/> wraps it. Not thread-safe: one instance per stream.
/// </summary>
public sealed class VoiceActivityDetector : IDisposable
{
    private readonly SileroVadAnalyzer _analyzer;
    private readonly StreamingResampler? _resampler;
    private readonly VoiceActivityTracker _tracker;
    private readonly float[] _window;
    private readonly long _windowTicks;
    private readonly float _confidence;
    private readonly double _minVolumeDbfs;
    private byte[] _resampled = [];
    private int _filled;
    private long _windows;

    /// <summary>Creates a detector for one stream.</summary>
    /// <param name="model">The loaded model (shared; not owned).</param>
    /// <param name="inputSampleRate">The stream's sample rate, in Hz; 16000 and 8000 run as is, others are resampled to 16000.</param>
    /// <param name="options">Thresholds and durations; <see cref="VadOptions.Default"/> when null.</param>
    public VoiceActivityDetector(SileroVadModel model, int inputSampleRate, VadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        PcmFormat.Validate(0, inputSampleRate, 1);
        options ??= VadOptions.Default;
        options.Validate();
        InputSampleRate = inputSampleRate;
        int analyzerRate = inputSampleRate is 16_000 or 8_000 ? inputSampleRate : 16_000;
        if (analyzerRate != inputSampleRate)
        {
            _resampler = new StreamingResampler(inputSampleRate, analyzerRate);
        }

        _analyzer = model.CreateAnalyzer(analyzerRate);
        _window = new float[_analyzer.WindowSamples];
        _windowTicks = _analyzer.WindowDuration.Ticks;
        _confidence = options.Confidence;
        _minVolumeDbfs = options.MinVolumeDbfs;
        _tracker = new VoiceActivityTracker(WindowsFor(options.StartDuration), WindowsFor(options.StopDuration));
    }

    /// <summary>The input sample rate, in Hz.</summary>
    public int InputSampleRate { get; }

    /// <summary>The rate Silero runs at, in Hz (16000 or 8000).</summary>
    public int AnalyzerSampleRate => _analyzer.SampleRate;

    /// <summary>Whether the user is speaking, as of the last whole window.</summary>
    public bool IsSpeaking => _tracker.IsSpeaking;

    /// <summary>The last window's speech probability (0 to 1).</summary>
    public float LastProbability { get; private set; }

    /// <summary>The last window's loudness, RMS in dBFS.</summary>
    public double LastVolumeDbfs { get; private set; } = double.NegativeInfinity;

    /// <summary>How much of the stream has been analyzed (whole windows).</summary>
    public TimeSpan AnalyzedDuration => TimeSpan.FromTicks(_windows * _windowTicks);

    /// <summary>Analyzes the next chunk of the stream; a partial window waits for the next chunk.</summary>
    /// <param name="pcm16Mono">Mono 16-bit little-endian PCM at <see cref="InputSampleRate"/>.</param>
    /// <param name="events">Receives the changes this chunk completes, in order.</param>
    public void Process(ReadOnlySpan<byte> pcm16Mono, ICollection<VoiceActivityEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        PcmFormat.Validate(pcm16Mono.Length, InputSampleRate, 1, nameof(pcm16Mono));
        if (_resampler is null)
        {
            Feed(pcm16Mono, events);
            return;
        }

        int needed = _resampler.MaxOutputBytes(pcm16Mono.Length);
        if (_resampled.Length < needed)
        {
            _resampled = new byte[needed];
        }

        int written = _resampler.Resample(pcm16Mono, _resampled);
        Feed(_resampled.AsSpan(0, written), events);
    }

    /// <summary>Starts a new stream: forgets state, position and any partial window.</summary>
    public void Reset()
    {
        _analyzer.Reset();
        _resampler?.Reset();
        _tracker.Reset();
        _filled = 0;
        _windows = 0;
        LastProbability = 0;
        LastVolumeDbfs = double.NegativeInfinity;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _analyzer.Dispose();
        _resampler?.Dispose();
    }

    private void Feed(ReadOnlySpan<byte> pcm, ICollection<VoiceActivityEvent> events)
    {
        int samples = pcm.Length / 2;
        for (int i = 0; i < samples; i++)
        {
            _window[_filled++] = BinaryPrimitives.ReadInt16LittleEndian(pcm.Slice(i * 2, 2)) / 32768f;
            if (_filled == _window.Length)
            {
                _filled = 0;
                AnalyzeWindow(events);
            }
        }
    }

    private void AnalyzeWindow(ICollection<VoiceActivityEvent> events)
    {
        float probability = _analyzer.Analyze(_window);
        double volume = VolumeDbfs(_window);
        LastProbability = probability;
        LastVolumeDbfs = volume;
        bool speech = probability >= _confidence && volume >= _minVolumeDbfs;
        long index = _windows++;
        if (_tracker.Next(speech, out (VoiceActivityKind Kind, long Window) change))
        {
            events.Add(new VoiceActivityEvent(
                change.Kind, TimeSpan.FromTicks(change.Window * _windowTicks), TimeSpan.FromTicks((index + 1) * _windowTicks)));
        }
    }

    private int WindowsFor(TimeSpan duration) => (int)((duration.Ticks + _windowTicks - 1) / _windowTicks);

    // Full-scale square wave = 0 dBFS; digital silence = -infinity.
    private static double VolumeDbfs(ReadOnlySpan<float> window)
    {
        double sum = 0;
        foreach (float s in window)
        {
            sum += s * s;
        }

        double rms = Math.Sqrt(sum / window.Length);
        return rms > 0 ? 20 * Math.Log10(rms) : double.NegativeInfinity;
    }
}
