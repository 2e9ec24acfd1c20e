namespace Pipeline.HeyGen.Emulator;

/// <summary>The URL paths the emulator serves: the real services' paths (both products live under <c>/v1</c> and
/// do not collide, so one emulator serves both), plus its own websocket paths.</summary>
public static class EmulatorPaths
{
    /// <summary><c>/v1/streaming.create_token</c>.</summary>
    public const string StreamingCreateToken = "/v1/streaming.create_token";

    /// <summary><c>/v1/streaming.new</c>.</summary>
    public const string StreamingNew = "/v1/streaming.new";

    /// <summary><c>/v1/streaming.start</c>.</summary>
    public const string StreamingStart = "/v1/streaming.start";

    /// <summary><c>/v1/streaming.stop</c>.</summary>
    public const string StreamingStop = "/v1/streaming.stop";

    /// <summary><c>/v1/streaming.keep_alive</c>.</summary>
    public const string StreamingKeepAlive = "/v1/streaming.keep_alive";

    /// <summary><c>/v1/streaming.list</c>.</summary>
    public const string StreamingList = "/v1/streaming.list";

    /// <summary>Speak text (<c>task_type</c> repeat or chat).</summary>
    public const string StreamingTask = "/v1/streaming.task";

    /// <summary>Stop the current speech.</summary>
    public const string StreamingInterrupt = "/v1/streaming.interrupt";

    /// <summary>Listening animation on.</summary>
    public const string StreamingStartListening = "/v1/streaming.start_listening";

    /// <summary>Listening animation off.</summary>
    public const string StreamingStopListening = "/v1/streaming.stop_listening";

    /// <summary>The Interactive Avatar realtime websocket (the real one is on HeyGen's signaling host).</summary>
    public const string StreamingRealtime = "/v1/ws/streaming.chat";

    /// <summary><c>/v1/sessions/token</c>.</summary>
    public const string LiveAvatarToken = "/v1/sessions/token";

    /// <summary><c>/v1/sessions/start</c>.</summary>
    public const string LiveAvatarStart = "/v1/sessions/start";

    /// <summary><c>/v1/sessions/stop</c>.</summary>
    public const string LiveAvatarStop = "/v1/sessions/stop";

    /// <summary><c>/v1/sessions/keep-alive</c>.</summary>
    public const string LiveAvatarKeepAlive = "/v1/sessions/keep-alive";

    /// <summary>The LiveAvatar LITE websocket.</summary>
    public const string LiveAvatarRealtime = "/v1/ws/liveavatar";
}
