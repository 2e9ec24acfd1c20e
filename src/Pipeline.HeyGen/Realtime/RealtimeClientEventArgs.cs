using System.Net.WebSockets;

namespace Pipeline.HeyGen.Realtime;

/// <summary>The websocket closed. <see cref="WillReconnect"/> says whether the client tries again.</summary>
public sealed class RealtimeDisconnectedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public RealtimeDisconnectedEventArgs(string reason, WebSocketCloseStatus? closeStatus, Exception? exception, bool willReconnect)
    {
        Reason = reason;
        CloseStatus = closeStatus;
        Exception = exception;
        WillReconnect = willReconnect;
    }

    /// <summary>Why, in words.</summary>
    public string Reason { get; }

    /// <summary>The close status the server sent, if it sent one.</summary>
    public WebSocketCloseStatus? CloseStatus { get; }

    /// <summary>The socket error, for a dropped connection.</summary>
    public Exception? Exception { get; }

    /// <summary>True for an unexpected close that the client is about to retry; false when the session ended.</summary>
    public bool WillReconnect { get; }
}

/// <summary>The client is connected again after an unexpected close.</summary>
public sealed class RealtimeReconnectedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public RealtimeReconnectedEventArgs(int attempts, TimeSpan downtime)
    {
        Attempts = attempts;
        Downtime = downtime;
    }

    /// <summary>Connect attempts it took (1 = first retry succeeded).</summary>
    public int Attempts { get; }

    /// <summary>Time from the close to the new connection (per the client's <see cref="TimeProvider"/>).</summary>
    public TimeSpan Downtime { get; }
}

/// <summary>
/// An utterance was being sent when the connection dropped; what the service received of it is unknown, so its
/// remaining audio is not sent. Raised once per utterance.
/// </summary>
public sealed class RealtimeAudioLostEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public RealtimeAudioLostEventArgs(string utteranceId, long bytesSubmitted)
    {
        UtteranceId = utteranceId;
        BytesSubmitted = bytesSubmitted;
    }

    /// <summary>The utterance's id (its <c>event_id</c>).</summary>
    public string UtteranceId { get; }

    /// <summary>PCM bytes of the utterance handed to the client before the drop, any of which may not have played.</summary>
    public long BytesSubmitted { get; }
}

/// <summary>The client gave up: reconnecting failed. Every later call throws <see cref="Exception"/>.</summary>
public sealed class RealtimeFaultedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public RealtimeFaultedEventArgs(HeyGenRealtimeException exception) => Exception = exception;

    /// <summary>The failure.</summary>
    public HeyGenRealtimeException Exception { get; }
}
