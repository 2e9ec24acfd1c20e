using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Silero;

/// <summary>
/// Runs Silero VAD v5 on one audio stream, one fixed window at a time, and returns the probability that the window
/// holds speech. Keeps the model's recurrent state and the tail of the previous window (its context) between calls,
/// so windows must be consecutive. Not thread-safe: one instance per stream.
/// </summary>
/// <remarks>
/// A window is 512 samples at 16 kHz or 256 at 8 kHz (32 ms); the model sees it prefixed with the last 64 (or 32)
/// samples of the previous window. All tensors are bound to buffers owned by this instance, so a call allocates
/// nothing managed beyond ONNX Runtime's own bookkeeping.
/// </remarks>
public sealed class SileroVadAnalyzer : IDisposable
{
    private const int StateLength = 2 * 1 * 128;

    private readonly SileroVadModel _model;
    private readonly float[] _input;
    private readonly float[] _state = new float[StateLength];
    private readonly float[] _nextState = new float[StateLength];
    private readonly float[] _probability = new float[1];
    private readonly long[] _sampleRate;
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;
    private readonly string[] _inputNames = [SileroVadModel.InputName, SileroVadModel.StateName, SileroVadModel.SampleRateName];
    private readonly string[] _outputNames = [SileroVadModel.OutputName, SileroVadModel.StateOutputName];
    private readonly RunOptions _runOptions = new();
    private bool _disposed;

    internal SileroVadAnalyzer(SileroVadModel model, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(model);
        (WindowSamples, ContextSamples) = sampleRate switch
        {
            16_000 => (512, 64),
            8_000 => (256, 32),
            _ => throw new ArgumentOutOfRangeException(
                nameof(sampleRate), sampleRate, "Silero VAD runs at 16000 or 8000 Hz; resample other rates first (VoiceActivityDetector does)."),
        };
        _model = model;
        SampleRate = sampleRate;
        _sampleRate = [sampleRate];
        _input = new float[ContextSamples + WindowSamples];
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(_input, [1, _input.Length]),
            OrtValue.CreateTensorValueFromMemory(_state, [2, 1, 128]),
            OrtValue.CreateTensorValueFromMemory(_sampleRate, []),
        ];
        _outputs =
        [
            OrtValue.CreateTensorValueFromMemory(_probability, [1, 1]),
            OrtValue.CreateTensorValueFromMemory(_nextState, [2, 1, 128]),
        ];
    }

    /// <summary>Sample rate, in Hz (16000 or 8000).</summary>
    public int SampleRate { get; }

    /// <summary>Samples per window: 512 at 16 kHz, 256 at 8 kHz.</summary>
    public int WindowSamples { get; }

    /// <summary>Samples of the previous window the model sees before each window: 64 at 16 kHz, 32 at 8 kHz.</summary>
    public int ContextSamples { get; }

    /// <summary>Duration of one window (32 ms at both rates).</summary>
    public TimeSpan WindowDuration => TimeSpan.FromTicks(WindowSamples * TimeSpan.TicksPerSecond / SampleRate);

    /// <summary>Analyzes the next window.</summary>
    /// <param name="window">Exactly <see cref="WindowSamples"/> samples, scaled to [-1, 1].</param>
    /// <returns>The probability (0 to 1) that the window holds speech.</returns>
    public float Analyze(ReadOnlySpan<float> window)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (window.Length != WindowSamples)
        {
            throw new ArgumentException(
                $"Silero VAD at {SampleRate} Hz takes windows of exactly {WindowSamples} samples, not {window.Length}.", nameof(window));
        }

        // The context is the tail of the previous window, which still sits at the end of the input buffer.
        _input.AsSpan(WindowSamples, ContextSamples).CopyTo(_input);
        window.CopyTo(_input.AsSpan(ContextSamples));
        _model.Session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
        _nextState.CopyTo(_state, 0);
        return _probability[0];
    }

    /// <summary>Forgets the stream so far: zero state and context (a new stream starts).</summary>
    public void Reset()
    {
        Array.Clear(_input);
        Array.Clear(_state);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (OrtValue value in _inputs)
        {
            value.Dispose();
        }

        foreach (OrtValue value in _outputs)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
    }
}
