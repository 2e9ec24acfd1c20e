namespace Pipeline.HeyGen.Emulator;

/// <summary>The endpoints the emulator serves; used to inject faults (<see cref="EmulatorFaults"/>) and to filter recorded requests.</summary>
public enum EmulatorEndpoint
{
    /// <summary><c>POST /v1/streaming.create_token</c>.</summary>
    StreamingCreateToken,

    /// <summary><c>POST /v1/streaming.new</c>.</summary>
    StreamingNew,

    /// <summary><c>POST /v1/streaming.start</c>.</summary>
    StreamingStart,

    /// <summary><c>POST /v1/streaming.stop</c>.</summary>
    StreamingStop,

    /// <summary><c>POST /v1/streaming.keep_alive</c>.</summary>
    StreamingKeepAlive,

    /// <summary><c>GET /v1/streaming.list</c>.</summary>
    StreamingList,

    /// <summary>The Interactive Avatar realtime websocket, <c>/v1/ws/streaming.chat</c>.</summary>
    StreamingRealtime,

    /// <summary><c>POST /v1/sessions/token</c> (LiveAvatar).</summary>
    LiveAvatarToken,

    /// <summary><c>POST /v1/sessions/start</c> (LiveAvatar).</summary>
    LiveAvatarStart,

    /// <summary><c>POST /v1/sessions/stop</c> (LiveAvatar).</summary>
    LiveAvatarStop,

    /// <summary><c>POST /v1/sessions/keep-alive</c> (LiveAvatar).</summary>
    LiveAvatarKeepAlive,

    /// <summary>The LiveAvatar LITE-mode websocket, <c>/v1/ws/liveavatar</c>.</summary>
    LiveAvatarRealtime,

    /// <summary>
    /// Joining a session's media room through <see cref="HeyGenEmulator.MediaConnector"/> (not HTTP: the emulator's
    /// room is in-process). A status, dropped-connection or malformed-body fault refuses the join with an
    /// <c>AvatarMediaException</c>; a delay holds the join on the emulator's clock until the caller gives up.
    /// </summary>
    MediaRoomJoin,

    /// <summary><c>POST /v1/streaming.task</c>: speak text (HeyGen's own SDK).</summary>
    StreamingTask,

    /// <summary><c>POST /v1/streaming.interrupt</c> (HeyGen's own SDK).</summary>
    StreamingInterrupt,

    /// <summary><c>POST /v1/streaming.start_listening</c> (HeyGen's own SDK).</summary>
    StreamingStartListening,

    /// <summary><c>POST /v1/streaming.stop_listening</c> (HeyGen's own SDK).</summary>
    StreamingStopListening,
}
