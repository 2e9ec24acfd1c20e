namespace Pipeline.LiveKit;

/// <summary>The state of a room's connection.</summary>
public enum RoomConnectionState
{
    /// <summary>Not connected.</summary>
    Disconnected = 0,

    /// <summary>Connected.</summary>
    Connected = 1,

    /// <summary>Connection lost; the engine is reconnecting.</summary>
    Reconnecting = 2,
}

/// <summary>Why a participant left, or why the room disconnected (LiveKit's <c>DisconnectReason</c>).</summary>
public enum DisconnectReason
{
    /// <summary>Not given.</summary>
    Unknown = 0,

    /// <summary>The client left.</summary>
    ClientInitiated = 1,

    /// <summary>Another participant joined with the same identity.</summary>
    DuplicateIdentity = 2,

    /// <summary>The server shut down.</summary>
    ServerShutdown = 3,

    /// <summary>The participant was removed.</summary>
    ParticipantRemoved = 4,

    /// <summary>The room was deleted.</summary>
    RoomDeleted = 5,

    /// <summary>Client and server disagreed about state.</summary>
    StateMismatch = 6,

    /// <summary>Joining failed.</summary>
    JoinFailure = 7,

    /// <summary>The participant moved to another server.</summary>
    Migration = 8,

    /// <summary>The signal connection closed.</summary>
    SignalClose = 9,

    /// <summary>The room closed.</summary>
    RoomClosed = 10,

    /// <summary>SIP: the user was unavailable.</summary>
    UserUnavailable = 11,

    /// <summary>SIP: the user rejected the call.</summary>
    UserRejected = 12,

    /// <summary>SIP: the trunk failed.</summary>
    SipTrunkFailure = 13,

    /// <summary>The connection timed out.</summary>
    ConnectionTimeout = 14,

    /// <summary>Media failed.</summary>
    MediaFailure = 15,
}
