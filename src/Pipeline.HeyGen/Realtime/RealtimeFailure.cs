namespace Pipeline.HeyGen.Realtime;

/// <summary>Why a <see cref="HeyGenRealtimeException"/> was thrown.</summary>
public enum RealtimeFailure
{
    /// <summary>Nothing listens at the endpoint (TCP connection refused).</summary>
    ConnectionRefused,

    /// <summary>The websocket handshake did not finish within <see cref="HeyGenRealtimeOptions.ConnectTimeout"/>.</summary>
    ConnectTimeout,

    /// <summary>The server answered the upgrade with HTTP 401 or 403: the session id or token is wrong or expired.</summary>
    Unauthorized,

    /// <summary>The server answered the upgrade with another HTTP status (see <see cref="HeyGenRealtimeException.HttpStatusCode"/>).</summary>
    Rejected,

    /// <summary>The connection failed for another reason (DNS, TLS, protocol); see the inner exception.</summary>
    ConnectionFailed,

    /// <summary>No <c>session.state_updated: connected</c> arrived in time and <see cref="ReadinessFallback.Throw"/> is set.</summary>
    NotReady,

    /// <summary>The connection was lost and every reconnect attempt failed; the client is unusable.</summary>
    ReconnectFailed,

    /// <summary>The service ended the session (it sent <c>closed</c> or closed the socket normally); the client is unusable.</summary>
    SessionEnded,

    /// <summary>
    /// The connection dropped while this utterance was being sent. What the service received of it is unknown, so the
    /// rest of it is not sent; see <see cref="HeyGenRealtimeClient.AudioLost"/>.
    /// </summary>
    UtteranceLost,
}
