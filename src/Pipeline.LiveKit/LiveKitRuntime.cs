using Pipeline.LiveKit.Native;

namespace Pipeline.LiveKit;

/// <summary>
/// The process-wide LiveKit engine. It is loaded on first use (or by <see cref="Initialize"/>, which lets you choose
/// where it comes from and where its logs go) and stays loaded for the life of the process.
/// </summary>
public static class LiveKitRuntime
{
    /// <summary>The livekit-ffi version the protocol of this assembly is paired with.</summary>
    public const string EngineVersion = "0.12.43";

    /// <summary>Loads and initialises the engine. Options are read by the first call only.</summary>
    /// <exception cref="LiveKitNativeLibraryException">The engine could not be found or loaded; the message says what to do.</exception>
    public static void Initialize(LiveKitRuntimeOptions? options = null) => FfiClient.Initialize(options);

    /// <summary>
    /// Closes every room (blocking) and detaches the engine's callback. Streams still open keep their handles until
    /// disposed. A later use initialises the engine again. Never call it from an event handler of a room.
    /// </summary>
    public static void Shutdown() => FfiClient.Shutdown();

    /// <summary>Native handles (rooms, participants, tracks, streams, frames) held by this process and not yet released.</summary>
    public static long OutstandingHandles => FfiHandle.Outstanding;
}
