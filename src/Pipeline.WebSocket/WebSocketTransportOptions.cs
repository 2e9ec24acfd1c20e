using System.Net;
using Microsoft.Extensions.Logging;

namespace Pipeline.WebSocket;

/// <summary>Settings of a <see cref="WebSocketTransport"/>.</summary>
public sealed class WebSocketTransportOptions
{
    /// <summary>The address Kestrel listens on (default 127.0.0.1: only this machine can connect).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 (the default) lets the OS choose one, reported by <see cref="WebSocketTransport.BaseAddress"/>.</summary>
    public int Port { get; init; }

    /// <summary>The websocket endpoint's path (default <c>/ws</c>).</summary>
    public string WebSocketPath { get; init; } = "/ws";

    /// <summary>Whether the browser playground page is served at <c>/</c> (default true).</summary>
    public bool ServePlayground { get; init; } = true;

    /// <summary>What happens when the client disconnects (default <see cref="ClientDisconnectPolicy.EndPipeline"/>).</summary>
    public ClientDisconnectPolicy DisconnectPolicy { get; init; } = ClientDisconnectPolicy.EndPipeline;

    /// <summary>Most video frames per second sent to the client (default 25); frames above the cap are skipped.</summary>
    public double MaxVideoFramesPerSecond { get; init; } = 25;

    /// <summary>JPEG quality, 1 to 100 (default 75).</summary>
    public int JpegQuality { get; init; } = 75;

    /// <summary>
    /// Video frames that may wait to be sent to the client (default 2); a frame that finds this many waiting is dropped
    /// (not queued), so a slow client sees fewer frames instead of older ones.
    /// </summary>
    public int MaxPendingVideoFrames { get; init; } = 2;

    /// <summary>
    /// Messages (audio chunks, events, frames) that may wait to be sent to the client (default 1024, about 20 s of
    /// 20 ms audio chunks). A client this far behind has stopped reading: it is closed with a reason.
    /// </summary>
    public int MaxPendingMessages { get; init; } = 1024;

    /// <summary>Largest message accepted from the client, in bytes (default 64 KiB: 2 s of 16 kHz mono PCM16).</summary>
    public int MaxClientMessageBytes { get; init; } = 64 * 1024;

    /// <summary>How long a client may take to send its hello message after connecting (default 10 s).</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Logging for the transport and its Kestrel server; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock of the transport (hello timeout, frame rate cap, media timestamps); the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Address);
        if (Port is < 0 or > 65_535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be 0 (OS-chosen) to 65535.");
        }

        if (string.IsNullOrWhiteSpace(WebSocketPath) || WebSocketPath[0] != '/' || WebSocketPath.Length < 2)
        {
            throw new ArgumentException($"WebSocketPath must be an absolute path such as /ws, not '{WebSocketPath}'.", nameof(WebSocketPath));
        }

        if (!Enum.IsDefined(DisconnectPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(DisconnectPolicy), DisconnectPolicy, "Unknown disconnect policy.");
        }

        if (!(MaxVideoFramesPerSecond > 0 && MaxVideoFramesPerSecond <= 120))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxVideoFramesPerSecond), MaxVideoFramesPerSecond, "The video frame rate cap must be above 0 and at most 120 frames per second.");
        }

        if (JpegQuality is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(JpegQuality), JpegQuality, "JPEG quality must be 1 to 100.");
        }

        if (MaxPendingVideoFrames < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPendingVideoFrames), MaxPendingVideoFrames, "At least one video frame must be allowed to wait.");
        }

        if (MaxPendingMessages < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPendingMessages), MaxPendingMessages, "At least 16 messages must be allowed to wait.");
        }

        if (MaxClientMessageBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxClientMessageBytes), MaxClientMessageBytes, "The client message limit must be at least 1024 bytes.");
        }

        if (HelloTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(HelloTimeout), HelloTimeout, "The hello timeout must be positive.");
        }

    }
}
