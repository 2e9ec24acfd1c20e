using Pipeline.Core.Frames;

namespace Pipeline.WebSocket.Frames;

/// <summary>
/// A websocket client joined (its hello was accepted), pushed downstream by the <see cref="WebSocketInputTransport"/>.
/// The <see cref="WebSocketOutputTransport"/> answers it with an <see cref="OutputTransportReadyFrame"/> upstream, so
/// processors between them must pass it on (the default).
/// </summary>
public sealed class WebSocketClientConnectedFrame(long clientId, int sampleRate) : SystemFrame
{
    /// <summary>The client's number, unique in the process.</summary>
    public long ClientId { get; } = clientId;

    /// <summary>The microphone rate the client declared, in Hz (its audio is resampled to the pipeline's input rate).</summary>
    public int SampleRate { get; } = sampleRate;
}

/// <summary>The websocket client left or was closed, pushed downstream by the <see cref="WebSocketInputTransport"/>.</summary>
public sealed class WebSocketClientDisconnectedFrame(long clientId, string reason, bool closedForError) : SystemFrame
{
    /// <summary>The client's number, unique in the process.</summary>
    public long ClientId { get; } = clientId;

    /// <summary>Why: the close reason the server sent, or what the client did.</summary>
    public string Reason { get; } = reason;

    /// <summary>Whether the server closed the client because it broke the protocol or stopped reading.</summary>
    public bool ClosedForError { get; } = closedForError;
}
