using System.Runtime.InteropServices;

namespace Pipeline.LiveKit.Native;

/// <summary>
/// Finds and loads the engine. Two shapes are supported:
/// <list type="bullet">
/// <item>an official <c>liblivekit_ffi</c> (plain C ABI): loaded as is;</item>
/// <item>the Node addon from <c>@livekit/rtc-node-linux-x64-gnu@0.13.24</c>, which imports 43 <c>napi_*</c> symbols
/// at load time (BIND_NOW): a stub defining them is loaded first with RTLD_GLOBAL, which
/// <see cref="NativeLibrary.Load(string)"/> cannot do, hence <c>dlopen</c> from libc.</item>
/// </list>
/// </summary>
internal static partial class NativeLibraryLocator
{
    internal const string AddonFileName = "rtc-node.linux-x64-gnu.node";
    internal const string StubFileName = "libnapistub.so";
    internal const string PinnedPackage = "@livekit/rtc-node-linux-x64-gnu@0.13.24";
    internal const string PackageId = "Pipeline.LiveKit.Native.linux-x64";
    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;

    /// <summary>The folder the prerequisite script fills when nothing else is configured.</summary>
    internal static string DefaultNativeDirectory => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "pipeline-livekit", "rtc-node-0.13.24");

    /// <summary>Loads the engine and returns its OS handle, or throws one exception that says what to do.</summary>
    internal static IntPtr Load(LiveKitRuntimeOptions options)
    {
        var tried = new List<string>();
        string? explicitPath = options.LibraryPath ?? Environment.GetEnvironmentVariable(LiveKitRuntimeOptions.LibraryEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return LoadFile(explicitPath, tried);
        }

        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new LiveKitNativeLibraryException(
                $"No LiveKit engine is configured for {RuntimeInformation.RuntimeIdentifier}. The fetched engine ({PinnedPackage}) " +
                $"is linux-x64 only; set {LiveKitRuntimeOptions.LibraryEnvironmentVariable} (or LiveKitRuntimeOptions.LibraryPath) " +
                "to an official liblivekit_ffi build of livekit-ffi 0.12.43 for this platform.");
        }

        var folders = new List<string>();
        string? configured = options.NativeDirectory ?? Environment.GetEnvironmentVariable(LiveKitRuntimeOptions.NativeDirectoryEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            folders.Add(configured);
        }

        folders.AddRange(PackageFolders());
        folders.Add(DefaultNativeDirectory);
        foreach (string folder in folders.Select(Path.TrimEndingDirectorySeparator).Distinct(StringComparer.Ordinal))
        {
            string addon = Path.Combine(folder, AddonFileName);
            tried.Add(addon);
            if (File.Exists(addon))
            {
                return LoadFile(addon, tried);
            }
        }

        throw NotFound(tried, null);
    }

    /// <summary>
    /// Where the Pipeline.LiveKit.Native.linux-x64 package's files land: the app folder (a <c>-r linux-x64</c> build
    /// or publish flattens runtimes/linux-x64/native into it), <c>runtimes/linux-x64/native/</c> under it (a RID-less
    /// build), and the native search folders the host took from deps.json (e.g. the NuGet cache when the app runs
    /// from a deps.json that points there).
    /// </summary>
    internal static IEnumerable<string> PackageFolders()
    {
        string app = AppContext.BaseDirectory;
        yield return app;
        yield return Path.Combine(app, "runtimes", "linux-x64", "native");
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
        {
            foreach (string folder in searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                yield return folder;
            }
        }
    }

    private static IntPtr LoadFile(string path, List<string> tried)
    {
        if (!tried.Contains(path))
        {
            tried.Add(path);
        }

        if (!File.Exists(path))
        {
            throw NotFound(tried, null);
        }

        try
        {
            if (path.EndsWith(".node", StringComparison.Ordinal))
            {
                string stub = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, StubFileName);
                if (!File.Exists(stub))
                {
                    throw new LiveKitNativeLibraryException(
                        $"The Node addon {path} needs the napi stub {stub}, which is missing. Run build/prereqs/20-livekit-native.sh " +
                        $"(it builds the stub with cc), or point {LiveKitRuntimeOptions.LibraryEnvironmentVariable} at an official liblivekit_ffi.");
                }

                DlOpen(stub, RtldNow | RtldGlobal);
                return DlOpen(path, RtldNow);
            }

            return NativeLibrary.Load(path);
        }
        catch (LiveKitNativeLibraryException)
        {
            throw;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
        {
            throw NotFound(tried, e);
        }
    }

    private static IntPtr DlOpen(string path, int flags)
    {
        IntPtr handle = Dlopen(path, flags);
        if (handle == IntPtr.Zero)
        {
            IntPtr error = Dlerror();
            string reason = error == IntPtr.Zero ? "unknown error" : Marshal.PtrToStringUTF8(error) ?? "unknown error";
            throw new DllNotFoundException($"dlopen({path}) failed: {reason}");
        }

        return handle;
    }

    private static LiveKitNativeLibraryException NotFound(List<string> tried, Exception? inner) => new(
        "LiveKit's native engine could not be loaded" + (inner is null ? "" : $" ({inner.Message})") + ". Tried: " +
        string.Join(", ", tried) + $". Apps using the Pipeline.LiveKit package get it from {PackageId} (a dependency: check it was restored " +
        "and that its runtimes/linux-x64/native files were not removed from the output). In this repository, run build/prereqs/20-livekit-native.sh (or ./build.sh test) once: it fetches " +
        $"{PinnedPackage} with npm into {DefaultNativeDirectory} and builds the napi stub with cc. Or set " +
        $"{LiveKitRuntimeOptions.NativeDirectoryEnvironmentVariable} to that folder, or {LiveKitRuntimeOptions.LibraryEnvironmentVariable} " +
        "to an official liblivekit_ffi build of livekit-ffi 0.12.43.",
        inner);

    // glibc >= 2.34 exports dlopen from libc.so.6 (Debian 12 has 2.36); named explicitly, as tested.
    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr Dlopen(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
    private static partial IntPtr Dlerror();
}
