using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// An open outgoing byte stream (<see cref="LocalParticipant.StreamBytesAsync"/>). Write chunks in order, then
/// <see cref="CloseAsync"/>; the engine splits them into data packets. Disposing a stream that was not closed closes
/// it as interrupted, then releases its native handle.
/// </summary>
public sealed class ByteStreamWriter : IAsyncDisposable
{
    private static readonly TimeSpan CloseOnDisposeTimeout = TimeSpan.FromSeconds(2);
    private readonly FfiHandle _handle;
    private readonly SemaphoreSlim _order = new(1, 1);
    private int _state; // 0 open, 1 closed, 2 disposed

    private ByteStreamWriter(OwnedByteStreamWriter owned)
    {
        _handle = FfiHandle.Own(owned.Handle);
        Info = new ByteStreamInfo(owned.Info ?? new Protocol.ByteStreamInfo());
    }

    /// <summary>The stream's header (its id, topic and attributes).</summary>
    public ByteStreamInfo Info { get; }

    internal static async Task<ByteStreamWriter> OpenAsync(ulong participantHandle, StreamByteOptions options, CancellationToken cancellationToken)
    {
        FfiClient client = FfiClient.Instance;
        ulong asyncId = client.Request(new FfiRequest
        {
            ByteStreamOpen = new ByteStreamOpenRequest { LocalParticipantHandle = participantHandle, Options = options },
        }).ByteStreamOpen.AsyncId;

        // Abandoned opens release their late writer handle in the client (FfiEventHandles).
        ByteStreamOpenCallback opened = (await client.WaitForCallbackAsync(asyncId, cancellationToken).ConfigureAwait(false)).ByteStreamOpen;
        if (opened.ResultCase != ByteStreamOpenCallback.ResultOneofCase.Writer)
        {
            throw new LiveKitException($"Opening a byte stream on '{options.Topic}' failed: {opened.Error?.Description}");
        }

        return new ByteStreamWriter(opened.Writer);
    }

    /// <summary>Sends one chunk. Completes when the engine has sent it; writes are ordered (one at a time).</summary>
    /// <param name="data">The bytes (copied before the engine sends them).</param>
    /// <param name="cancellationToken">Stops waiting; the chunk may still be sent.</param>
    /// <exception cref="InvalidOperationException">The stream is closed.</exception>
    /// <exception cref="LiveKitException">The engine could not send it.</exception>
    public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _order.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfNotOpen();
            FfiClient client = FfiClient.Instance;
            ulong asyncId = client.Request(new FfiRequest
            {
                ByteStreamWrite = new ByteStreamWriterWriteRequest { WriterHandle = _handle.Id, Bytes = Google.Protobuf.ByteString.CopyFrom(data.Span) },
            }).ByteStreamWrite.AsyncId;
            ByteStreamWriterWriteCallback written = (await client.WaitForCallbackAsync(asyncId, cancellationToken).ConfigureAwait(false)).ByteStreamWriterWrite;
            if (written.Error is { } error)
            {
                throw new LiveKitException($"Writing {data.Length} bytes to {Info} failed: {error.Description}");
            }
        }
        finally
        {
            _order.Release();
        }
    }

    /// <summary>Ends the stream: the receiver's read completes (or fails, with a <paramref name="reason"/>). A second call does nothing.</summary>
    /// <param name="reason"><see langword="null"/> for a normal end; otherwise why it was cut short.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="LiveKitException">The engine could not close it.</exception>
    public async Task CloseAsync(string? reason = null, CancellationToken cancellationToken = default)
    {
        await _order.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            {
                return;
            }

            var request = new ByteStreamWriterCloseRequest { WriterHandle = _handle.Id };
            if (reason is not null)
            {
                request.Reason = reason;
            }

            FfiClient client = FfiClient.Instance;
            ulong asyncId = client.Request(new FfiRequest { ByteStreamClose = request }).ByteStreamClose.AsyncId;
            ByteStreamWriterCloseCallback closed = (await client.WaitForCallbackAsync(asyncId, cancellationToken).ConfigureAwait(false)).ByteStreamWriterClose;
            if (closed.Error is { } error)
            {
                throw new LiveKitException($"Closing {Info} failed: {error.Description}");
            }
        }
        finally
        {
            _order.Release();
        }
    }

    /// <summary>Closes the stream as interrupted if it is still open (waiting at most 2 s), then releases its handle.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _state) == 0)
        {
            using var timeout = new CancellationTokenSource(CloseOnDisposeTimeout);
            try
            {
                await CloseAsync("interrupted", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is LiveKitException or OperationCanceledException or ObjectDisposedException)
            {
                // Disposing must not throw: the room may be gone; releasing the handle ends the stream either way.
            }
        }

        if (Interlocked.Exchange(ref _state, 2) == 0 && !_handle.IsClosed)
        {
            CloseAbandoned(_handle.Id); // the close above could not even be sent
        }

        _handle.Dispose();
    }

    /// <summary>
    /// Has the engine close a writer nobody will use, without waiting. The engine (ffi 0.12.43) aborts the process
    /// when an unclosed writer is released from a thread that is not its own (the stream's drop spawns its close
    /// outside the engine's runtime); a close request instead takes the writer into the engine, which closes it there.
    /// </summary>
    internal static void CloseAbandoned(ulong writerHandle)
    {
        if (writerHandle == 0)
        {
            return;
        }

        try
        {
            FfiClient client = FfiClient.Instance;
            ulong asyncId = client.Request(new FfiRequest
            {
                ByteStreamClose = new ByteStreamWriterCloseRequest { WriterHandle = writerHandle, Reason = "abandoned" },
            }).ByteStreamClose.AsyncId;
            _ = client.WaitForCallbackAsync(asyncId, CancellationToken.None).ContinueWith(
                static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (LiveKitException)
        {
            // The engine refused (the handle is gone already): nothing is left to close.
        }
    }

    private void ThrowIfNotOpen()
    {
        int state = Volatile.Read(ref _state);
        ObjectDisposedException.ThrowIf(state == 2, this);
        if (state == 1)
        {
            throw new InvalidOperationException($"{Info} is closed; open a new stream to send more.");
        }
    }
}
