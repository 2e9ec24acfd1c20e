namespace Pipeline.HeyGen.Realtime;

/// <summary>Where a <see cref="HeyGenRealtimeClient"/> is in its life.</summary>
public enum RealtimeConnectionState
{
    /// <summary>Created; <see cref="HeyGenRealtimeClient.ConnectAsync"/> not called yet (or it failed).</summary>
    NotConnected,

    /// <summary>The first handshake is running.</summary>
    Connecting,

    /// <summary>The websocket is open.</summary>
    Connected,

    /// <summary>The websocket dropped; the client is trying again. Calls queue up meanwhile.</summary>
    Reconnecting,

    /// <summary>Closed by the caller or ended by the service. Terminal.</summary>
    Closed,

    /// <summary>Reconnecting failed. Terminal.</summary>
    Faulted,
}
