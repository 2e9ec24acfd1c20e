namespace Pipeline.HeyGen.Realtime.Events;

/// <summary>The session states carried by <c>session.state_updated</c>.</summary>
public enum AvatarSessionState
{
    /// <summary>A value this client does not know; see <see cref="SessionStateUpdatedEvent.RawState"/>.</summary>
    Unknown,

    /// <summary><c>connecting</c>.</summary>
    Connecting,

    /// <summary><c>connected</c>: the service accepts audio.</summary>
    Connected,

    /// <summary><c>closing</c>.</summary>
    Closing,

    /// <summary><c>closed</c>: the session is over.</summary>
    Closed,

    /// <summary><c>disconnected</c> (seen in client code, not in the docs).</summary>
    Disconnected,
}

/// <summary>The avatar states carried by <c>agent.state_updated</c>.</summary>
public enum AvatarAgentState
{
    /// <summary>A value this client does not know.</summary>
    Unknown,

    /// <summary><c>idle</c>.</summary>
    Idle,

    /// <summary><c>listening</c>: the listening animation plays.</summary>
    Listening,

    /// <summary><c>talking</c>: the avatar is speaking.</summary>
    Talking,
}
