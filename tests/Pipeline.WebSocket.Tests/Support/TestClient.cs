using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Pipeline.WebSocket.Tests.Support;

/// <summary>A message the server sent: a JSON event, a media message (header fields + payload), or the close.</summary>
internal sealed record Received(
    JsonElement? Event,
    int Kind,
    int SampleRate,
    int Width,
    int Height,
    long TimestampMicroseconds,
    byte[] Payload,
    WebSocketCloseStatus? CloseStatus,
    string? CloseReason)
{
    public string? Type => Event?.GetProperty("type").GetString();

    public bool IsClose => CloseStatus is not null;
}

/// <summary>A real <see cref="ClientWebSocket"/> speaking the wire format (docs/websocket-protocol.md), for the tests.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(20);
    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[4 * 1024 * 1024];

    public WebSocketState State => _socket.State;

    public static async Task<TestClient> ConnectAsync(Uri uri)
    {
        var client = new TestClient();
        client._socket.Options.AddSubProtocol("pipeline.v1");
        using var hang = new CancellationTokenSource(Hang);
        await client._socket.ConnectAsync(uri, hang.Token);
        return client;
    }

    /// <summary>Connects, says hello at <paramref name="sampleRate"/> and waits for the welcome.</summary>
    public static async Task<TestClient> JoinAsync(Uri uri, int sampleRate = 16_000)
    {
        TestClient client = await ConnectAsync(uri);
        await client.SendHelloAsync(sampleRate);
        Received welcome = await client.ReceiveAsync();
        welcome.Type.Should().Be("welcome", "the server answers a valid hello with its welcome");
        return client;
    }

    public Task SendHelloAsync(int sampleRate, int channels = 1, int version = 1) =>
        SendTextAsync($$$"""{"type":"hello","version":{{{version}}},"audio":{"sampleRate":{{{sampleRate}}},"channels":{{{channels}}}}}""");

    public async Task SendTextAsync(string text)
    {
        using var hang = new CancellationTokenSource(Hang);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, hang.Token);
    }

    public async Task SendBinaryAsync(byte[] message)
    {
        using var hang = new CancellationTokenSource(Hang);
        await _socket.SendAsync(message, WebSocketMessageType.Binary, true, hang.Token);
    }

    /// <summary>An audio message: the 16-byte header then the PCM.</summary>
    public static byte[] AudioMessage(ReadOnlySpan<byte> pcm, int sampleRate, int channels = 1, long timestamp = 0, byte kind = 1, byte version = 1)
    {
        byte[] message = new byte[16 + pcm.Length];
        message[0] = kind;
        message[1] = version;
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), (uint)sampleRate);
        BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(8), timestamp);
        pcm.CopyTo(message.AsSpan(16));
        return message;
    }

    public Task SendAudioAsync(ReadOnlySpan<byte> pcm, int sampleRate) => SendBinaryAsync(AudioMessage(pcm, sampleRate));

    /// <summary>Receives the next message (the close included), failing only when nothing arrives within the hang limit.</summary>
    public async Task<Received> ReceiveAsync()
    {
        using var hang = new CancellationTokenSource(Hang);
        int length = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(_buffer.AsMemory(length), hang.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    try
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", hang.Token);
                    }
                    catch (WebSocketException)
                    {
                        // The server did not wait for the answer (it was stopping): the close it sent is what counts.
                    }
                }

                return new Received(null, 0, 0, 0, 0, 0, [], _socket.CloseStatus, _socket.CloseStatusDescription);
            }

            length += result.Count;
            if (!result.EndOfMessage)
            {
                continue;
            }

            if (result.MessageType == WebSocketMessageType.Text)
            {
                using JsonDocument doc = JsonDocument.Parse(_buffer.AsMemory(0, length));
                return new Received(doc.RootElement.Clone(), 0, 0, 0, 0, 0, [], null, null);
            }

            ReadOnlySpan<byte> m = _buffer.AsSpan(0, length);
            int kind = m[0];
            return new Received(null, kind,
                kind == 1 ? (int)BinaryPrimitives.ReadUInt32LittleEndian(m[4..]) : 0,
                kind == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(m[4..]) : 0,
                kind == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(m[6..]) : 0,
                BinaryPrimitives.ReadInt64LittleEndian(m[8..]),
                m[16..].ToArray(), null, null);
        }
    }

    /// <summary>Receives until a message matches (the others are skipped); the close is returned whatever it is.</summary>
    public async Task<Received> ReceiveUntilAsync(Func<Received, bool> match)
    {
        while (true)
        {
            Received next = await ReceiveAsync();
            if (next.IsClose || match(next))
            {
                return next;
            }
        }
    }

    /// <summary>Reads until the server's close frame and returns it.</summary>
    public Task<Received> ReceiveCloseAsync() => ReceiveUntilAsync(_ => false);

    public async Task CloseAsync()
    {
        using var hang = new CancellationTokenSource(Hang);
        await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", hang.Token);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return default;
    }
}
