using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Pipeline.WebSocket.Protocol;

namespace Pipeline.WebSocket.Server;

/// <summary>
/// Reads a client's messages and checks each against the protocol (docs/websocket-protocol.md): a hello first, then
/// binary audio in the declared format. Anything else ends in a <see cref="ProtocolViolationException"/> whose close
/// reason says what was wrong and what to send instead.
/// </summary>
internal sealed class ClientMessageReader(System.Net.WebSockets.WebSocket socket, WebSocketTransportOptions options, TimeProvider clock)
{
    /// <summary>The lowest microphone rate accepted, in Hz.</summary>
    public const int MinInputRate = 8_000;

    /// <summary>The highest microphone rate accepted, in Hz.</summary>
    public const int MaxInputRate = 48_000;

    private const string HelloExample = "{\"type\":\"hello\",\"version\":1,\"audio\":{\"sampleRate\":16000,\"channels\":1}}";

    // One byte more than the limit, so that an oversize message is seen without reading it all.
    private readonly byte[] _buffer = new byte[options.MaxClientMessageBytes + 1];

    /// <summary>
    /// Waits for the hello and checks it. When none comes within <see cref="WebSocketTransportOptions.HelloTimeout"/>,
    /// <paramref name="requestClose"/> closes the client with a reason; the read goes on until the client answers the
    /// close (cancelling a websocket read would abort the connection, and the reason with it).
    /// </summary>
    /// <param name="timeout">Cancelled when the hello is late (started when the client connected).</param>
    /// <param name="requestClose">Closes the client.</param>
    /// <param name="cancellationToken">Cancelled when the server stops.</param>
    public async Task<AudioFormat> ReadHelloAsync(CancellationTokenSource timeout, Action<CloseRequest> requestClose, CancellationToken cancellationToken)
    {
        var lateHello = new CloseRequest(WireProtocol.Malformed, $"no hello within {options.HelloTimeout.TotalSeconds:0.#} s: send the hello message as soon as the socket opens");
        (WebSocketMessageType type, int length) message;
        using (timeout.Token.Register(() => requestClose(lateHello)))
        {
            message = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        }

        if (timeout.IsCancellationRequested)
        {
            throw new ProtocolViolationException(lateHello);
        }

        if (message.type == WebSocketMessageType.Close)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The client closed before its hello.");
        }

        if (message.type != WebSocketMessageType.Text)
        {
            throw Violation(WireProtocol.Malformed, "expected the hello first, got binary: send " + HelloExample);
        }

        ClientHello hello = ParseText(message.length) as ClientHello
            ?? throw Violation(WireProtocol.Malformed, "expected the hello first: send " + HelloExample);
        if (hello.Version != WireProtocol.Version)
        {
            throw Violation(WireProtocol.Unsupported, $"protocol version {hello.Version} is not spoken here: send version {WireProtocol.Version}");
        }

        AudioFormat format = hello.Audio ?? throw Violation(WireProtocol.Malformed, "the hello has no audio format: send " + HelloExample);
        CheckFormat(format.SampleRate, format.ChannelCount, "the hello declares");
        return format;
    }

    /// <summary>Reads audio messages until the client closes; each one goes to <paramref name="inbound"/>.</summary>
    public async Task ReadAudioAsync(AudioFormat format, ClientSession session, ChannelWriter<InboundEvent> inbound, CancellationToken cancellationToken)
    {
        while (true)
        {
            (WebSocketMessageType type, int length) = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
            switch (type)
            {
                case WebSocketMessageType.Close:
                    return;
                case WebSocketMessageType.Text:
                    _ = ParseText(length);
                    throw Violation(WireProtocol.Malformed, "the hello was already accepted: after it, send binary audio messages only");
            }

            ReadOnlySpan<byte> message = _buffer.AsSpan(0, length);
            if (!MediaHeader.TryRead(message, out MediaHeader header, out string? error))
            {
                throw Violation(WireProtocol.Malformed, error! + "; see docs/websocket-protocol.md");
            }

            if (header.Kind != MediaKind.Audio)
            {
                throw Violation(WireProtocol.Unsupported, "the server takes audio only from clients (kind 1): do not send video");
            }

            CheckFormat(header.SampleRate, header.Channels, "this audio message has");
            if (header.SampleRate != format.SampleRate)
            {
                throw Violation(WireProtocol.Unsupported, $"audio at {header.SampleRate} Hz, but the hello declared {format.SampleRate} Hz: send the declared rate");
            }

            int pcmLength = length - MediaHeader.Size;
            if ((pcmLength & 1) != 0)
            {
                throw Violation(WireProtocol.Malformed, $"the audio payload has {pcmLength} bytes, an odd number: PCM16 has 2 bytes a sample");
            }

            if (pcmLength == 0)
            {
                continue;
            }

            byte[] pcm = ArrayPool<byte>.Shared.Rent(pcmLength);
            message[MediaHeader.Size..].CopyTo(pcm);
            await inbound.WriteAsync(new ClientAudio(session, pcm, pcmLength, header.SampleRate, header.TimestampMicroseconds), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After the server's close frame: reads (and discards) until the client's close arrives or a short grace ends.</summary>
    public async Task DrainUntilClosedAsync(CancellationToken cancellationToken)
    {
        if (socket.State != WebSocketState.CloseSent)
        {
            return;
        }

        // Reading on lets the client's in-flight audio arrive instead of resetting the connection under the close
        // frame (a reset can lose the frame, and with it the reason).
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2), clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, grace.Token);
        while (socket.State == WebSocketState.CloseSent)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(_buffer.AsMemory(), linked.Token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
        }
    }

    private async Task<(WebSocketMessageType Type, int Length)> ReadMessageAsync(CancellationToken cancellationToken)
    {
        int length = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, 0);
            }

            length += result.Count;
            if (length > options.MaxClientMessageBytes)
            {
                throw Violation(WireProtocol.TooBig, $"a message over {options.MaxClientMessageBytes} bytes: send audio in chunks of 20 to 100 ms");
            }

            if (result.EndOfMessage)
            {
                return (result.MessageType, length);
            }
        }
    }

    private ClientMessage? ParseText(int length)
    {
        try
        {
            return JsonSerializer.Deserialize(_buffer.AsSpan(0, length), WireJsonContext.Default.ClientMessage);
        }
        catch (JsonException)
        {
            throw Violation(WireProtocol.Malformed, "not a known JSON message: send " + HelloExample);
        }
        catch (NotSupportedException)
        {
            throw Violation(WireProtocol.Malformed, "a text message has no known \"type\": send " + HelloExample);
        }
    }

    private static void CheckFormat(int sampleRate, int channels, string where)
    {
        if (sampleRate is < MinInputRate or > MaxInputRate)
        {
            throw Violation(WireProtocol.Unsupported, $"{where} {sampleRate} Hz: send {MinInputRate} to {MaxInputRate} Hz mono PCM16 (16000 is best)");
        }

        if (channels != 1)
        {
            throw Violation(WireProtocol.Unsupported, $"{where} {channels} channels: send mono PCM16 (channels 1)");
        }

    }

    private static ProtocolViolationException Violation(WebSocketCloseStatus status, string reason) => new(new CloseRequest(status, reason));
}
