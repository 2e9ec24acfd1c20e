using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Pipeline.HeyGen.Emulator.Realtime;

/// <summary>
/// One accepted websocket of an emulated session. Server messages from any thread (receive loop, the avatar's playback
/// events, idle timer) go through one queue and one writer, so they are never interleaved; the writer drains the queue
/// until the socket ends, and the queue refuses messages after that.
/// </summary>
internal sealed class RealtimeServerConnection
{
    private readonly WebSocket _socket;
    private readonly RealtimeSessionContext _session;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private volatile bool _connected;

    public RealtimeServerConnection(WebSocket socket, RealtimeSessionContext session, int index, CancellationToken cancellationToken)
    {
        _socket = socket;
        _session = session;
        Index = index;
        _writer = WriteLoopAsync(cancellationToken);
    }

    /// <summary>Which connection of the session this is, from 1.</summary>
    public int Index { get; }

    /// <summary>Whether <c>connected</c> has been reported on this connection (or the session never reports it).</summary>
    public bool IsConnected
    {
        get => _connected;
        set => _connected = value;
    }

    public void Send(string json) => _outgoing.Writer.TryWrite(new Outgoing(json, null, null));

    /// <summary>Sends a close frame after everything queued before it, then stops writing.</summary>
    public void Close(WebSocketCloseStatus status, string description)
    {
        _outgoing.Writer.TryWrite(new Outgoing(null, status, description));
        _outgoing.Writer.TryComplete();
    }

    /// <summary>Drops the connection without a close frame, as a network failure would.</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Stops writing after the queued messages and waits for the writer.</summary>
    public async Task CompleteAsync()
    {
        _outgoing.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var delay = item.Json is null ? TimeSpan.Zero : _session.Faults.ServerEventDelay;
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _session.TimeProvider, cancellationToken).ConfigureAwait(false);
                if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
                if (item.Json is not null)
                {
                    await _socket.SendAsync(Encoding.UTF8.GetBytes(item.Json), WebSocketMessageType.Text, true, cancellationToken)
                        .ConfigureAwait(false);
                }
                else
                {
                    await _socket.CloseOutputAsync(item.CloseStatus!.Value, item.CloseDescription, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client went away; nothing more can be said to it.
        }
        finally
        {
            // Nobody writes to the socket any more: later sends are refused instead of queueing unread.
            _outgoing.Writer.TryComplete();
        }
    }

    private readonly record struct Outgoing(string? Json, WebSocketCloseStatus? CloseStatus, string? CloseDescription);
}
