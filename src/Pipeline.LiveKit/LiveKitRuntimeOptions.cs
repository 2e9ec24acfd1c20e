using Microsoft.Extensions.Logging;

namespace Pipeline.LiveKit;

/// <summary>
/// Where to find LiveKit's native engine and where its logs go. Read once, by the first
/// <see cref="LiveKitRuntime.Initialize"/> (the engine is loaded once per process and cannot be unloaded).
/// </summary>
public sealed class LiveKitRuntimeOptions
{
    /// <summary>Environment variable naming an official <c>liblivekit_ffi</c> build (livekit-ffi 0.12.43); no stub needed.</summary>
    public const string LibraryEnvironmentVariable = "LIVEKIT_FFI_LIBRARY";

    /// <summary>
    /// Environment variable naming the folder the prerequisite script fills: <c>rtc-node.linux-x64-gnu.node</c>
    /// (from <c>@livekit/rtc-node-linux-x64-gnu@0.13.24</c>) and the <c>libnapistub.so</c> built next to it.
    /// </summary>
    public const string NativeDirectoryEnvironmentVariable = "PIPELINE_LIVEKIT_NATIVE_DIR";

    /// <summary>
    /// Path of an official <c>liblivekit_ffi</c> shared library, or of an rtc-node <c>.node</c> file with
    /// <c>libnapistub.so</c> beside it. Overrides <see cref="LibraryEnvironmentVariable"/> and every default.
    /// </summary>
    public string? LibraryPath { get; init; }

    /// <summary>
    /// Folder holding <c>rtc-node.linux-x64-gnu.node</c> and <c>libnapistub.so</c>. Default: the environment
    /// variable <see cref="NativeDirectoryEnvironmentVariable"/>, then <c>~/.cache/pipeline-livekit/rtc-node-0.13.24</c>.
    /// </summary>
    public string? NativeDirectory { get; init; }

    /// <summary>Receives the engine's own log records (category <c>LiveKit.Native</c>) and the client's.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The <c>sdk</c> name the engine sends to the server in the signal URL. Default <c>dotnet</c>.</summary>
    public string SdkName { get; init; } = "dotnet";

    /// <summary>The <c>version</c> the engine sends to the server in the signal URL.</summary>
    public string SdkVersion { get; init; } = "0.1.0";
}
