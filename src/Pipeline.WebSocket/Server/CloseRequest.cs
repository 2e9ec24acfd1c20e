using System.Net.WebSockets;
using System.Text;
using Pipeline.WebSocket.Protocol;

namespace Pipeline.WebSocket.Server;

/// <summary>Why the server closes a client: a websocket status and a reason that says what is wrong and what to do.</summary>
internal sealed record CloseRequest
{
    public CloseRequest(WebSocketCloseStatus status, string reason)
    {
        Status = status;
        Reason = Fit(reason);
    }

    /// <summary>The close status.</summary>
    public WebSocketCloseStatus Status { get; }

    /// <summary>The reason, cut to the 123 UTF-8 bytes a close frame can carry.</summary>
    public string Reason { get; }

    /// <summary>Whether the close reports a client's mistake (as opposed to a normal or server-side end).</summary>
    public bool IsClientError => Status is not (WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable);

    private static string Fit(string reason)
    {
        if (Encoding.UTF8.GetByteCount(reason) <= WireProtocol.MaxCloseReasonBytes)
        {
            return reason;
        }

        // Close reasons are ASCII by construction here; the cut keeps the start, which says what is wrong.
        int length = reason.Length;
        while (Encoding.UTF8.GetByteCount(reason.AsSpan(0, length)) > WireProtocol.MaxCloseReasonBytes - 3)
        {
            length--;
        }

        return string.Concat(reason.AsSpan(0, length), "...");
    }
}
