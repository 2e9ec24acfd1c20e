namespace Pipeline.HeyGen.Realtime;

/// <summary>Which HeyGen product a realtime session belongs to; it decides how the session is kept alive.</summary>
public enum HeyGenProduct
{
    /// <summary>
    /// LiveAvatar in LITE mode (<c>ws_url</c>). Kept alive by the websocket <c>session.keep_alive</c> event; the idle
    /// timeout is 5 minutes.
    /// </summary>
    LiveAvatar,

    /// <summary>
    /// The Interactive Avatar Streaming API (<c>realtime_endpoint</c>). Kept alive by the REST
    /// <c>POST /v1/streaming.keep_alive</c> call (see <see cref="HeyGenRealtimeOptions.RestKeepAlive"/>); the idle
    /// timeout defaults to 120 seconds (<c>activity_idle_timeout</c>).
    /// </summary>
    InteractiveAvatar,
}
