namespace Pipeline.WebSocket;

/// <summary>What the transport does when the client goes away (closes, drops, or is refused mid-session).</summary>
public enum ClientDisconnectPolicy
{
    /// <summary>
    /// End the pipeline (the default): an <see cref="Core.Frames.InterruptionFrame"/> drops what is left of the bot's
    /// turn, then an <see cref="Core.Frames.EndFrame"/> ends the run, so an avatar service after the input closes its
    /// (billed) session. One pipeline serves one conversation.
    /// </summary>
    EndPipeline,

    /// <summary>
    /// Keep the pipeline running and wait for a client to connect again (a playground, a kiosk): an
    /// <see cref="Core.Frames.InterruptionFrame"/> drops what is left of the bot's turn, output media is discarded
    /// while nobody is connected, and the next client continues the same conversation.
    /// </summary>
    WaitForReconnect,
}
