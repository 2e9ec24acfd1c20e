using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.WebSocket.Protocol;

namespace Pipeline.WebSocket.Server;

/// <summary>
/// One connected client: a receive loop that checks every message against the protocol (<see cref="ClientMessageReader"/>)
/// and hands its audio to the input processor, and a send loop that owns every write to the socket (the output's
/// media and events, and the close frame with its reason).
/// </summary>
/// <remarks>
/// Writes go through one bounded queue read by one loop, because a websocket allows one send at a time. Video frames
/// are dropped when <see cref="WebSocketTransportOptions.MaxPendingVideoFrames"/> are already waiting; a client that
/// lets the whole queue fill has stopped reading and is closed.
/// </remarks>
internal sealed class ClientSession : IDisposable
{
    private static long s_nextId;
    private readonly System.Net.WebSockets.WebSocket _socket;
    private readonly WebSocketTransportOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Channel<OutgoingMessage> _outgoing;
    private readonly CancellationTokenSource _helloTimeout;
    private CloseRequest? _close;
    private int _pendingVideo;
    private long _droppedVideo;

    public ClientSession(System.Net.WebSockets.WebSocket socket, WebSocketTransportOptions options, TimeProvider clock, ILogger logger)
    {
        _socket = socket;
        _options = options;
        _clock = clock;
        _logger = logger;
        Id = Interlocked.Increment(ref s_nextId);
        Media = new MediaClock(clock);
        // The hello's deadline runs from the moment the socket is accepted (this constructor).
        _helloTimeout = new CancellationTokenSource(options.HelloTimeout, clock);
        _outgoing = Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(options.MaxPendingMessages)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>A process-unique number, for logs and frames.</summary>
    public long Id { get; }

    /// <summary>The audio format the client declared in its hello, once accepted.</summary>
    public AudioFormat? InputFormat { get; private set; }

    /// <summary>The timeline of the media sent to this client.</summary>
    public MediaClock Media { get; }

    /// <summary>Why the session is closing, once decided.</summary>
    public CloseRequest? Close => Volatile.Read(ref _close);

    /// <summary>Video frames dropped because the client was behind.</summary>
    public long DroppedVideoFrames => Interlocked.Read(ref _droppedVideo);

    /// <summary>
    /// Runs the session until the client leaves, breaks the protocol, or <paramref name="cancellationToken"/> is
    /// cancelled (server stopping). <paramref name="onJoined"/> runs once the hello is accepted.
    /// </summary>
    public async Task RunAsync(int pipelineSampleRate, ChannelWriter<InboundEvent> inbound, Func<ClientSession, ValueTask> onJoined, CancellationToken cancellationToken)
    {
        Task sending = SendLoopAsync(cancellationToken);
        var reader = new ClientMessageReader(_socket, _options, _clock);
        try
        {
            InputFormat = await reader.ReadHelloAsync(_helloTimeout, RequestClose, cancellationToken).ConfigureAwait(false);
            Enqueue(new ServerWelcome
            {
                PipelineSampleRate = pipelineSampleRate,
                MaxVideoFps = _options.MaxVideoFramesPerSecond,
                ServerEpochMicroseconds = Media.EpochMicroseconds,
            });
            await onJoined(this).ConfigureAwait(false);
            await reader.ReadAudioAsync(InputFormat, this, inbound, cancellationToken).ConfigureAwait(false);
            RequestClose(new CloseRequest(WebSocketCloseStatus.NormalClosure, "goodbye"));
        }
        catch (ProtocolViolationException violation)
        {
            _logger.LogWarning("WebSocket client {Client}: {Reason}; closing it with {Status}", Id, violation.Close.Reason, violation.Close.Status);
            RequestClose(violation.Close);
        }
        catch (Exception ex) when (ex is ChannelClosedException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            RequestClose(new CloseRequest(WebSocketCloseStatus.EndpointUnavailable, "the server is stopping"));
        }
        catch (WebSocketException ex)
        {
            _logger.LogInformation("WebSocket client {Client} dropped: {Error}", Id, ex.Message);
            RequestClose(new CloseRequest(WebSocketCloseStatus.NormalClosure, "connection lost"));
        }

        try
        {
            await sending.ConfigureAwait(false);
            await reader.DrainUntilClosedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away while the close was under way: nothing more to tell it.
        }

    }

    /// <summary>Queues a PCM16 audio chunk; false when the session is closing or full (then it closes).</summary>
    public bool TrySendAudio(ReadOnlySpan<byte> pcm, int sampleRate, int channels)
    {
        long at = Media.StampAudio(Core.Audio.PcmFormat.DurationOf(pcm.Length, sampleRate, channels));
        byte[] buffer = OutgoingMessage.Rent(MediaHeader.Size + pcm.Length);
        MediaHeader.ForAudio(sampleRate, channels, at).Write(buffer);
        pcm.CopyTo(buffer.AsSpan(MediaHeader.Size));
        return TryQueue(new OutgoingMessage(buffer, MediaHeader.Size + pcm.Length, WebSocketMessageType.Binary, IsVideo: false));
    }

    /// <summary>
    /// Whether a video frame may be encoded and queued now (checked before spending time encoding it); when not, the
    /// frame counts as dropped.
    /// </summary>
    public bool TryReserveVideo()
    {
        if (Close is null && Interlocked.Increment(ref _pendingVideo) <= _options.MaxPendingVideoFrames)
        {
            return true;
        }

        Interlocked.Decrement(ref _pendingVideo);
        Interlocked.Increment(ref _droppedVideo);
        return false;
    }

    /// <summary>Gives back a reservation whose frame could not be encoded.</summary>
    public void ReleaseVideoReservation() => Interlocked.Decrement(ref _pendingVideo);

    /// <summary>Queues an encoded video frame reserved with <see cref="TryReserveVideo"/> (a rented buffer, header first).</summary>
    public bool TrySendVideo(byte[] message, int length) =>
        TryQueue(new OutgoingMessage(message, length, WebSocketMessageType.Binary, IsVideo: true));

    /// <summary>Queues a JSON event; false when the session is closing or full.</summary>
    public bool Enqueue(ServerMessage message)
    {
        byte[] json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(message, WireJsonContext.Default.ServerMessage);
        byte[] buffer = OutgoingMessage.Rent(json.Length);
        json.CopyTo(buffer, 0);
        return TryQueue(new OutgoingMessage(buffer, json.Length, WebSocketMessageType.Text, IsVideo: false));
    }

    /// <summary>Releases the hello timer (the session's run has ended, or it never ran).</summary>
    public void Dispose() => _helloTimeout.Dispose();

    /// <summary>Starts closing the session with a status and reason (the first request wins).</summary>
    public void RequestClose(CloseRequest close)
    {
        if (Interlocked.CompareExchange(ref _close, close, null) is null)
        {
            _outgoing.Writer.TryComplete();
        }
    }

    private bool TryQueue(OutgoingMessage message)
    {
        if (Close is null && _outgoing.Writer.TryWrite(message))
        {
            return true;
        }

        if (message.IsVideo)
        {
            Interlocked.Decrement(ref _pendingVideo);
        }

        message.Release();
        if (Close is null)
        {
            _logger.LogWarning("WebSocket client {Client} stopped reading: {Count} messages are waiting; closing it", Id, _options.MaxPendingMessages);
            RequestClose(new CloseRequest(WebSocketCloseStatus.PolicyViolation,
                $"too slow: {_options.MaxPendingMessages} messages were waiting to be sent; read messages as they arrive"));
        }

        return false;
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (OutgoingMessage message in _outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (Close is null)
                    {
                        await _socket.SendAsync(message.Buffer.AsMemory(0, message.Length), message.Type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (message.IsVideo)
                    {
                        Interlocked.Decrement(ref _pendingVideo);
                    }

                    message.Release();
                }
            }

            if (Close is { } close && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(close.Status, close.Reason, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            RequestClose(new CloseRequest(WebSocketCloseStatus.NormalClosure, "connection lost"));
            while (_outgoing.Reader.TryRead(out OutgoingMessage left))
            {
                left.Release();
            }
        }
    }
}
