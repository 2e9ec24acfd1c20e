using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit.Native;

/// <summary>
/// Receives the events of one room or stream on the engine's callback thread. Implementations take ownership of
/// the handles inside the event, must not block (post to a channel and return) and should not throw; an exception is
/// caught and logged by the client.
/// </summary>
internal interface IFfiEventSink
{
    /// <summary>Takes one event. Called in order for one room or stream, from one thread at a time.</summary>
    void Post(FfiEvent ffiEvent);
}
