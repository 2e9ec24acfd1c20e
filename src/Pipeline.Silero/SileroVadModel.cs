using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Silero;

/// <summary>
/// The loaded Silero VAD v5 ONNX model: one ONNX Runtime session, shared by any number of
/// <see cref="SileroVadAnalyzer"/>s (each keeps its own recurrent state). Thread-safe; dispose after its analyzers.
/// </summary>
public sealed class SileroVadModel : IDisposable
{
    // Silero v5's graph: input [1, context + window] float32, state [2, 1, 128] float32, sr int64 scalar;
    // outputs: the speech probability [1, 1] and the next state [2, 1, 128].
    internal const string InputName = "input";
    internal const string StateName = "state";
    internal const string SampleRateName = "sr";
    internal const string OutputName = "output";
    internal const string StateOutputName = "stateN";

    private readonly InferenceSession _session;

    private SileroVadModel(InferenceSession session, string path)
    {
        _session = session;
        ModelPath = path;
    }

    /// <summary>Where the model was loaded from.</summary>
    public string ModelPath { get; }

    internal InferenceSession Session => _session;

    /// <summary>Loads the model.</summary>
    /// <param name="modelPath">The ONNX file; by default found by <see cref="SileroModelLocator"/> (environment, then cache).</param>
    /// <exception cref="SileroModelNotFoundException">The file is missing; the message says what to run.</exception>
    /// <exception cref="InvalidDataException">The file is not a Silero VAD v5 model.</exception>
    public static SileroVadModel Load(string? modelPath = null)
    {
        string path = SileroModelLocator.Locate(modelPath);
        // The model is tiny (about 2 MB, one 32 ms window per call): one intra-op thread is faster than fanning out
        // and leaves the machine's cores to the rest of the pipeline.
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException(
                $"'{path}' could not be loaded as an ONNX model ({ex.Message}). {SileroModelLocator.InstallHint}", ex);
        }

        try
        {
            Check(session, path);
        }
        catch
        {
            session.Dispose();
            throw;
        }

        return new SileroVadModel(session, path);
    }

    /// <summary>Creates an analyzer with its own state for one audio stream.</summary>
    /// <param name="sampleRate">16000 or 8000 Hz (the rates Silero v5 was trained for).</param>
    public SileroVadAnalyzer CreateAnalyzer(int sampleRate = 16_000) => new(this, sampleRate);

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private static void Check(InferenceSession session, string path)
    {
        foreach (string name in new[] { InputName, StateName, SampleRateName })
        {
            if (!session.InputMetadata.ContainsKey(name))
            {
                throw new InvalidDataException(
                    $"'{path}' is not a Silero VAD v5 model: it has no input '{name}' (inputs: {string.Join(", ", session.InputMetadata.Keys)}). {SileroModelLocator.InstallHint}");
            }
        }

        foreach (string name in new[] { OutputName, StateOutputName })
        {
            if (!session.OutputMetadata.ContainsKey(name))
            {
                throw new InvalidDataException(
                    $"'{path}' is not a Silero VAD v5 model: it has no output '{name}'. {SileroModelLocator.InstallHint}");
            }
        }
    }
}
