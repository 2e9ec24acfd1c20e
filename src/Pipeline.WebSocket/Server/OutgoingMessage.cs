using System.Buffers;
using System.Net.WebSockets;

namespace Pipeline.WebSocket.Server;

/// <summary>
/// A message waiting to be sent: a rented buffer (returned to the pool once sent or dropped), its length, and whether
/// it is text or binary and a video frame (video frames are the ones dropped when the client is slow).
/// </summary>
internal readonly record struct OutgoingMessage(byte[] Buffer, int Length, WebSocketMessageType Type, bool IsVideo)
{
    /// <summary>Rents a buffer of at least <paramref name="length"/> bytes for a message.</summary>
    public static byte[] Rent(int length) => ArrayPool<byte>.Shared.Rent(length);

    /// <summary>Returns the buffer to the pool; the message must not be used afterwards.</summary>
    public void Release() => ArrayPool<byte>.Shared.Return(Buffer);
}
