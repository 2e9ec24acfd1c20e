using System.Net.WebSockets;

namespace Pipeline.WebSocket.Protocol;

/// <summary>Constants of the wire format (docs/websocket-protocol.md).</summary>
internal static class WireProtocol
{
    /// <summary>The protocol version, in the hello/welcome messages and in every binary header.</summary>
    public const byte Version = 1;

    /// <summary>The websocket subprotocol name a client may ask for (optional).</summary>
    public const string SubProtocol = "pipeline.v1";

    /// <summary>The longest close reason a websocket close frame can carry, in UTF-8 bytes (RFC 6455: 125 - 2).</summary>
    public const int MaxCloseReasonBytes = 123;

    /// <summary>Close status for a second client while one is connected.</summary>
    public const WebSocketCloseStatus Busy = WebSocketCloseStatus.PolicyViolation;

    /// <summary>Close status of an unparseable message or one out of protocol order.</summary>
    public const WebSocketCloseStatus Malformed = WebSocketCloseStatus.InvalidPayloadData;

    /// <summary>Close status of audio in a format the server does not take.</summary>
    public const WebSocketCloseStatus Unsupported = WebSocketCloseStatus.InvalidMessageType;

    /// <summary>Close status of a message over the size limit.</summary>
    public const WebSocketCloseStatus TooBig = WebSocketCloseStatus.MessageTooBig;
}
