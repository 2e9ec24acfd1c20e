using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit.Native;

/// <summary>
/// The process's one client of the engine (it cannot be unloaded, and it has one callback). Sends requests, matches
/// asynchronous completions to them by <c>async_id</c>, and dispatches events from the engine's callback threads to
/// the rooms and streams that own them without blocking those threads or letting an exception reach them.
/// </summary>
internal sealed class FfiClient
{
    private static readonly object s_initGate = new();
    private static FfiClient? s_instance;
    private static unsafe delegate* unmanaged[Cdecl]<byte*, nuint, byte**, nuint*, ulong> s_request;
    private static unsafe delegate* unmanaged[Cdecl]<ulong, byte> s_drop;

    private readonly unsafe delegate* unmanaged[Cdecl]<IntPtr, byte, byte*, byte*, void> _initialize;
    private readonly unsafe delegate* unmanaged[Cdecl]<void> _dispose;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<FfiEvent>> _pending = new();
    private readonly NativeLogRouter _logs;
    private readonly ILogger _logger;
    private readonly LiveKitRuntimeOptions _options;
    private long _callbackFailures;
    private bool _initialized;

    private unsafe FfiClient(IntPtr library, LiveKitRuntimeOptions options)
    {
        _options = options;
        ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Pipeline.LiveKit.FfiClient");
        _logs = new NativeLogRouter(loggerFactory.CreateLogger("LiveKit.Native"));
        try
        {
            _initialize = (delegate* unmanaged[Cdecl]<IntPtr, byte, byte*, byte*, void>)NativeLibrary.GetExport(library, "livekit_ffi_initialize");
            _dispose = (delegate* unmanaged[Cdecl]<void>)NativeLibrary.GetExport(library, "livekit_ffi_dispose");
            s_request = (delegate* unmanaged[Cdecl]<byte*, nuint, byte**, nuint*, ulong>)NativeLibrary.GetExport(library, "livekit_ffi_request");
            s_drop = (delegate* unmanaged[Cdecl]<ulong, byte>)NativeLibrary.GetExport(library, "livekit_ffi_drop_handle");
        }
        catch (EntryPointNotFoundException e)
        {
            throw new LiveKitNativeLibraryException(
                $"The loaded library does not export the livekit_ffi C ABI ({e.Message}). Point {LiveKitRuntimeOptions.LibraryEnvironmentVariable} " +
                "at a liblivekit_ffi build of livekit-ffi 0.12.43, or run build/prereqs/20-livekit-native.sh.",
                e);
        }
    }

    /// <summary>The client, loading and initialising the engine on first use.</summary>
    public static FfiClient Instance => s_instance is { _initialized: true } client ? client : Initialize(null);

    /// <summary>Whether the engine has been loaded in this process.</summary>
    public static bool IsLoaded => s_instance is not null;

    /// <summary>Routes room and stream events to their owners.</summary>
    public FfiEventRouter Router { get; } = new();

    /// <summary>Log records from the engine, with secrets redacted.</summary>
    public NativeLogRouter Logs => _logs;

    /// <summary>The logger factory given at initialisation.</summary>
    public ILoggerFactory LoggerFactory => _options.LoggerFactory ?? NullLoggerFactory.Instance;

    /// <summary>How many exceptions were caught on the callback thread since the process started.</summary>
    public long CallbackFailures => Interlocked.Read(ref _callbackFailures);

    /// <summary>Test seam: runs on the callback thread for every event, before it is dispatched.</summary>
    internal Action<FfiEvent>? EventObserver { get; set; }

    /// <summary>Loads the engine (once per process) and (re)registers the callback.</summary>
    public static FfiClient Initialize(LiveKitRuntimeOptions? options)
    {
        lock (s_initGate)
        {
            if (s_instance is null)
            {
                options ??= new LiveKitRuntimeOptions();
                IntPtr library = NativeLibraryLocator.Load(options);
                s_instance = new FfiClient(library, options);
            }

            if (!s_instance._initialized)
            {
                s_instance.InitializeEngine();
            }

            return s_instance;
        }
    }

    /// <summary>Closes every room (blocking) and unregisters the callback. Never call it from a callback.</summary>
    public static void Shutdown()
    {
        lock (s_initGate)
        {
            if (s_instance is { _initialized: true } client)
            {
                client.DisposeEngine();
                client._initialized = false;
                client.FailPending(new LiveKitException("The LiveKit runtime was shut down."));
            }
        }
    }

    /// <summary>Releases a handle; ids 0 and unknown ids are ignored (a second drop returns false in the engine).</summary>
    public static unsafe void DropHandle(ulong id)
    {
        if (id != 0 && s_drop != null)
        {
            s_drop(id);
        }
    }

    /// <summary>Sends a synchronous request and returns its response.</summary>
    /// <exception cref="LiveKitException">The engine rejected the request (its reason is in the LiveKit.Native log).</exception>
    public FfiResponse Request(FfiRequest request) => Send(request, static (response, _) => FfiResponse.Parser.ParseFrom(response), 0);

    /// <summary>
    /// Sends a request on a per-frame path without building a response object: returns the <c>async_id</c> of the
    /// response's oneof case <paramref name="responseCase"/> (0 for a request that has none). Allocation-free once
    /// the pooled request buffer is warm.
    /// </summary>
    /// <exception cref="LiveKitException">The engine rejected the request (its reason is in the LiveKit.Native log).</exception>
    public ulong Send(FfiRequest request, int responseCase) =>
        Send(request, static (response, responseCase) => ProtoWireReader.ReadAsyncId(response, responseCase), responseCase);

    private delegate T ResponseReader<T, TState>(ReadOnlySpan<byte> response, TState state);

    private unsafe T Send<T, TState>(FfiRequest request, ResponseReader<T, TState> read, TState state)
    {
        int size = request.CalculateSize();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            request.WriteTo(buffer.AsSpan(0, size));
            byte* responsePtr = null;
            nuint responseLength = 0;
            ulong responseHandle;
            fixed (byte* requestPtr = buffer)
            {
                responseHandle = s_request(requestPtr, (nuint)size, &responsePtr, &responseLength);
            }

            if (responseHandle == 0)
            {
                string? reason = _logs.LastError;
                throw new LiveKitException($"The LiveKit engine rejected the {request.MessageCase} request" +
                    (reason is null ? " (see the LiveKit.Native log for the reason)." : $": {reason}"));
            }

            try
            {
                return read(new ReadOnlySpan<byte>(responsePtr, checked((int)responseLength)), state);
            }
            finally
            {
                DropHandle(responseHandle);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Waits for the callback of an asynchronous request. The callback may have arrived before this is called;
    /// both sides meet on the same completion source. If the wait is abandoned, the late callback's handles are
    /// released when it comes, after <paramref name="abandoned"/> (if given) has seen it (on a pool thread).
    /// </summary>
    public async Task<FfiEvent> WaitForCallbackAsync(ulong asyncId, CancellationToken cancellationToken, Action<FfiEvent>? abandoned = null)
    {
        TaskCompletionSource<FfiEvent> completion = _pending.GetOrAdd(asyncId, static _ => NewCompletion());
        try
        {
            FfiEvent result = await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            _pending.TryRemove(asyncId, out _);
            return result;
        }
        catch (OperationCanceledException)
        {
            // Abandoned (our timeout or the caller's token): the callback still comes, with handles (a connected
            // room!) that nobody will own. Release them when it does.
            _ = completion.Task.ContinueWith(
                task =>
                {
                    _pending.TryRemove(asyncId, out _);
                    if (task.IsCompletedSuccessfully)
                    {
                        if (task.Result.Connect?.Result?.Room?.Handle is { } room)
                        {
                            Router.Unregister(room.Id); // and release the room events that waited for an owner
                        }

                        try
                        {
                            abandoned?.Invoke(task.Result);
                        }
                        catch (Exception e)
                        {
                            ReportCallbackFailure(e);
                        }

                        FfiEventHandles.Release(task.Result);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
        catch
        {
            _pending.TryRemove(asyncId, out _);
            throw;
        }
    }

    private static TaskCompletionSource<FfiEvent> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private unsafe void InitializeEngine()
    {
        byte[] sdk = NullTerminated(_options.SdkName);
        byte[] version = NullTerminated(_options.SdkVersion);
        fixed (byte* sdkPtr = sdk)
        fixed (byte* versionPtr = version)
        {
            _initialize((IntPtr)(delegate* unmanaged[Cdecl]<byte*, nuint, void>)&OnNativeEvent, 1, sdkPtr, versionPtr);
        }

        _initialized = true;
        _logger.LogDebug("LiveKit engine initialised (livekit-ffi {Version} expected)", LiveKitRuntime.EngineVersion);
    }

    private unsafe void DisposeEngine() => _dispose();

    private static byte[] NullTerminated(string value)
    {
        byte[] bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(value) + 1];
        System.Text.Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    // Runs on the engine's tokio worker threads, possibly several at once. Nothing may escape into Rust.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnNativeEvent(byte* data, nuint length)
    {
        FfiClient? client = s_instance;
        if (client is null)
        {
            return;
        }

        try
        {
            var bytes = new ReadOnlySpan<byte>(data, checked((int)length));

            // The engine logs at trace level (libwebrtc even once per captured frame that comes faster than real
            // time): batches whose records nobody would write are not parsed at all.
            ReadOnlySpan<byte> logs = ProtoWireReader.FirstMessage(bytes, FfiEvent.LogsFieldNumber);
            if (!logs.IsEmpty && client.EventObserver is null && !client._logs.WantsAny(logs))
            {
                return;
            }

            FfiEvent ffiEvent = FfiEvent.Parser.ParseFrom(bytes);
            client.Dispatch(ffiEvent);
        }
        catch (Exception e)
        {
            client.ReportCallbackFailure(e);
        }
    }

    /// <summary>Routes one parsed event (callback thread; internal so tests can play the engine).</summary>
    internal void Dispatch(FfiEvent ffiEvent)
    {
        try
        {
            EventObserver?.Invoke(ffiEvent);
        }
        catch (Exception e)
        {
            // An observer's failure must not cost the event (it may carry handles and frames).
            ReportCallbackFailure(e);
        }

        switch (ffiEvent.MessageCase)
        {
            case FfiEvent.MessageOneofCase.RoomEvent:
                Router.Route(ffiEvent.RoomEvent.RoomHandle, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.VideoStreamEvent:
                Router.Route(ffiEvent.VideoStreamEvent.StreamHandle, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.AudioStreamEvent:
                Router.Route(ffiEvent.AudioStreamEvent.StreamHandle, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.RpcMethodInvocation:
                Router.Route(ffiEvent.RpcMethodInvocation.LocalParticipantHandle, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.ByteStreamReaderEvent:
                Router.Route(ffiEvent.ByteStreamReaderEvent.ReaderHandle, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.ByteStreamOpen:
                Complete(ffiEvent.ByteStreamOpen.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.ByteStreamWriterWrite:
                Complete(ffiEvent.ByteStreamWriterWrite.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.ByteStreamWriterClose:
                Complete(ffiEvent.ByteStreamWriterClose.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.PerformRpc:
                Complete(ffiEvent.PerformRpc.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.Connect:
                Complete(ffiEvent.Connect.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.Disconnect:
                Complete(ffiEvent.Disconnect.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.Dispose:
                Complete(ffiEvent.Dispose.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.PublishTrack:
                Complete(ffiEvent.PublishTrack.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.UnpublishTrack:
                Complete(ffiEvent.UnpublishTrack.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.PublishData:
                Complete(ffiEvent.PublishData.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.CaptureAudioFrame:
                Complete(ffiEvent.CaptureAudioFrame.AsyncId, ffiEvent);
                break;
            case FfiEvent.MessageOneofCase.Logs:
                _logs.Write(ffiEvent.Logs);
                break;
            case FfiEvent.MessageOneofCase.Panic:
                _logger.LogCritical("The LiveKit engine panicked: {Message}", ffiEvent.Panic.Message);
                FailPending(new LiveKitException($"The LiveKit engine panicked: {ffiEvent.Panic.Message}"));
                break;
            default:
                FfiEventHandles.Release(ffiEvent);
                break;
        }
    }

    private void Complete(ulong asyncId, FfiEvent ffiEvent)
    {
        if (!_pending.GetOrAdd(asyncId, static _ => NewCompletion()).TrySetResult(ffiEvent))
        {
            FfiEventHandles.Release(ffiEvent);
        }
    }

    private void FailPending(Exception error)
    {
        foreach (TaskCompletionSource<FfiEvent> completion in _pending.Values)
        {
            completion.TrySetException(error);
        }
    }

    private void ReportCallbackFailure(Exception error)
    {
        Interlocked.Increment(ref _callbackFailures);
        try
        {
            _logger.LogError(error, "An exception was caught on the LiveKit callback thread; the event was dropped");
        }
        catch
        {
            // A failing logger must not take the process down either.
        }
    }
}
