namespace Pipeline.WebSocket.Server;

/// <summary>A client broke the protocol; <see cref="Close"/> is what it is told (status and reason).</summary>
internal sealed class ProtocolViolationException(CloseRequest close) : Exception(close.Reason)
{
    /// <summary>The close the client gets.</summary>
    public CloseRequest Close { get; } = close;
}
