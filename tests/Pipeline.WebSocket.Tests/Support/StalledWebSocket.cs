using System.Net.WebSockets;
using System.Text;

namespace Pipeline.WebSocket.Tests.Support;

/// <summary>
/// A websocket whose peer sends a hello and then stops reading: every send waits until the test cancels it. Used only
/// to test the session's own queueing (what a slow client costs), which a real socket's buffers would hide.
/// </summary>
internal sealed class StalledWebSocket : System.Net.WebSockets.WebSocket
{
    private readonly byte[] _hello = Encoding.UTF8.GetBytes("""{"type":"hello","version":1,"audio":{"sampleRate":16000}}""");
    private bool _helloSent;
    private WebSocketState _state = WebSocketState.Open;

    public override WebSocketCloseStatus? CloseStatus => null;

    public override string? CloseStatusDescription => null;

    public override WebSocketState State => _state;

    public override string? SubProtocol => null;

    public int SendsStarted { get; private set; }

    public override void Abort() => _state = WebSocketState.Aborted;

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Dispose() => _state = WebSocketState.Closed;

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_helloSent)
        {
            _helloSent = true;
            _hello.CopyTo(buffer.AsSpan());
            return new WebSocketReceiveResult(_hello.Length, WebSocketMessageType.Text, endOfMessage: true);
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new OperationCanceledException(cancellationToken);
    }

    public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        SendsStarted++;
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
