namespace Pipeline.LiveKit;

/// <summary>How a <see cref="Room"/> joins.</summary>
public sealed record RoomConnectOptions
{
    /// <summary>Subscribe to every published track automatically. Default true.</summary>
    public bool AutoSubscribe { get; init; } = true;

    /// <summary>
    /// Extra join attempts the engine makes after a failed one (it waits up to 15 s per attempt for media to
    /// connect, with no backoff). Default 1.
    /// </summary>
    public int JoinRetries { get; init; } = 1;

    /// <summary>Gives up joining after this long, whatever the engine is doing. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long leaving may take before the handles are released anyway. Default 5 s.</summary>
    public TimeSpan DisconnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
