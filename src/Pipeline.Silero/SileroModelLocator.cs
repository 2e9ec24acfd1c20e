namespace Pipeline.Silero;

/// <summary>
/// Finds the Silero VAD v5 ONNX model file. It is not shipped with this library: build/prereqs/30-silero-vad.sh
/// fetches it (npm <c>@livekit/agents-plugin-silero@1.9.0</c>, sha256-checked) into a cache outside the repository.
/// </summary>
public static class SileroModelLocator
{
    /// <summary>Environment variable naming the model file itself; wins over everything else.</summary>
    public const string ModelFileVariable = "PIPELINE_SILERO_VAD_MODEL";

    /// <summary>Environment variable naming the cache directory the prerequisite script fills.</summary>
    public const string CacheDirectoryVariable = "PIPELINE_SILERO_VAD_DIR";

    /// <summary>File name of the model inside the cache directory.</summary>
    public const string ModelFileName = "silero_vad.onnx";

    /// <summary>What to run to install the model, for error messages.</summary>
    public const string InstallHint =
        "Run `bash build/prereqs/30-silero-vad.sh` (it fetches silero_vad.onnx from the npm package " +
        "@livekit/agents-plugin-silero@1.9.0 into ~/.cache/pipeline-silero/), or set " + ModelFileVariable +
        " to the path of a Silero VAD v5 ONNX file.";

    /// <summary>The default cache directory: <c>~/.cache/pipeline-silero/agents-plugin-silero-1.9.0</c>.</summary>
    public static string DefaultCacheDirectory => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "pipeline-silero", "agents-plugin-silero-1.9.0");

    /// <summary>The path the model is looked for at, without checking that it exists.</summary>
    /// <param name="explicitPath">A path given by the caller (options); used as is when set.</param>
    public static string ResolvePath(string? explicitPath = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return explicitPath;
        }

        string? file = Environment.GetEnvironmentVariable(ModelFileVariable);
        if (!string.IsNullOrWhiteSpace(file))
        {
            return file;
        }

        string? dir = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
        return Path.Combine(string.IsNullOrWhiteSpace(dir) ? DefaultCacheDirectory : dir, ModelFileName);
    }

    /// <summary>The model path, checked to exist.</summary>
    /// <param name="explicitPath">A path given by the caller (options); otherwise the environment, then the cache default.</param>
    /// <exception cref="SileroModelNotFoundException">No file at the resolved path; the message says what to run.</exception>
    public static string Locate(string? explicitPath = null)
    {
        string path = ResolvePath(explicitPath);
        if (!File.Exists(path))
        {
            throw new SileroModelNotFoundException(path);
        }

        return path;
    }
}
