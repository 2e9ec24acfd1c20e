namespace Pipeline.HeyGen.Emulator;

/// <summary>The kinds of client activity a product may count against its idle timeout (see <see cref="IdleRules"/>).</summary>
[Flags]
public enum IdleActivity
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Starting the session (<c>streaming.start</c>, <c>sessions/start</c>).</summary>
    Start = 1,

    /// <summary>The REST keep-alive (<c>streaming.keep_alive</c>, <c>sessions/keep-alive</c>).</summary>
    RestKeepAlive = 2,

    /// <summary>The websocket <c>session.keep_alive</c> event.</summary>
    SocketKeepAlive = 4,

    /// <summary>Speech: websocket <c>agent.speak</c> / <c>agent.speak_end</c> (and their <c>audio_buffer_*</c> names),
    /// REST <c>streaming.task</c>.</summary>
    Speech = 8,

    /// <summary>Control commands: interrupt and start/stop listening, over the websocket or REST.</summary>
    Control = 16,

    /// <summary>Anything else the client sends on the socket: unknown event types, malformed messages.</summary>
    Other = 32,
}
