using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// An incoming byte stream, handed to the handler registered for its topic
/// (<see cref="Room.RegisterByteStreamHandler"/>). Read its chunks while the handler runs: when the handler's task
/// completes, the reader is released and whatever has not been read is dropped.
/// </summary>
public sealed class ByteStreamReader : IFfiEventSink
{
    private readonly FfiHandle _handle;
    private readonly Channel<ReadOnlyMemory<byte>> _chunks = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleWriter = true });

    internal ByteStreamReader(ByteStreamOpened opened)
    {
        _handle = FfiHandle.Own(opened.Reader?.Handle);
        Info = new ByteStreamInfo(opened.Reader?.Info ?? new Protocol.ByteStreamInfo());
        SenderIdentity = opened.ParticipantIdentity;
    }

    /// <summary>The stream's header: topic, attributes, total length if announced.</summary>
    public ByteStreamInfo Info { get; }

    /// <summary>The identity of the participant that sent it.</summary>
    public string SenderIdentity { get; }

    /// <summary>The chunks in order, as they arrive; ends when the sender closes the stream.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <exception cref="LiveKitException">The stream ended abnormally (the sender interrupted it, or it was incomplete).</exception>
    /// <exception cref="ObjectDisposedException">The room was closed, or the handler returned, before the end.</exception>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadChunksAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_chunks.Reader.TryRead(out ReadOnlyMemory<byte> chunk))
            {
                yield return chunk;
            }
        }
    }

    /// <summary>Reads the whole stream into one array.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>Every byte sent, in order.</returns>
    /// <exception cref="LiveKitException">The stream ended abnormally.</exception>
    public async Task<byte[]> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        using var all = new MemoryStream(Info.TotalLength is { } length and < int.MaxValue ? (int)length : 0);
        await foreach (ReadOnlyMemory<byte> chunk in ReadChunksAsync(cancellationToken).ConfigureAwait(false))
        {
            all.Write(chunk.Span);
        }

        return all.ToArray();
    }

    /// <summary>Starts the engine's chunk events for this reader (after it can receive them).</summary>
    internal void Start()
    {
        FfiClient client = FfiClient.Instance;
        client.Router.Register(_handle.Id, this);
        client.Request(new FfiRequest { ByteReadIncremental = new ByteStreamReaderReadIncrementalRequest { ReaderHandle = _handle.Id } });
    }

    /// <summary>Stops the reader and releases its handle; chunks still coming are dropped by the router.</summary>
    internal void Release(string why)
    {
        _chunks.Writer.TryComplete(new ObjectDisposedException(nameof(ByteStreamReader), $"{Info} was released ({why}) before it ended."));
        if (!_handle.IsInvalid)
        {
            FfiClient.Instance.Router.Unregister(_handle.Id);
        }

        _handle.Dispose();
    }

    void IFfiEventSink.Post(FfiEvent ffiEvent)
    {
        ByteStreamReaderEvent readerEvent = ffiEvent.ByteStreamReaderEvent;
        if (readerEvent is null)
        {
            FfiEventHandles.Release(ffiEvent);
            return;
        }

        switch (readerEvent.DetailCase)
        {
            case ByteStreamReaderEvent.DetailOneofCase.ChunkReceived:
                _chunks.Writer.TryWrite(readerEvent.ChunkReceived.Content.Memory);
                break;
            case ByteStreamReaderEvent.DetailOneofCase.Eos:
                _chunks.Writer.TryComplete(readerEvent.Eos.Error is { } error
                    ? new LiveKitException($"{Info} from {SenderIdentity} ended abnormally: {error.Description}")
                    : null);
                break;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Info} from {SenderIdentity}";
}
