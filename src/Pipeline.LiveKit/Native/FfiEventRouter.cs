using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit.Native;

/// <summary>
/// Routes room and stream events to their owners by handle id. The engine can emit events for a handle before its
/// owner has registered (a stream starts inside the request that creates it; room events follow the connect
/// callback at once), so events for a not-yet-registered handle wait here, a few at most, and are delivered in order
/// on registration. Events for a handle whose owner has left are released.
/// </summary>
internal sealed class FfiEventRouter
{
    private const int MaxWaitingPerHandle = 256;
    private readonly object _gate = new();
    private readonly Dictionary<ulong, IFfiEventSink> _sinks = [];
    private readonly Dictionary<ulong, Queue<FfiEvent>> _waiting = [];
    private readonly HashSet<ulong> _retired = [];

    /// <summary>Registers the owner of <paramref name="handleId"/> and hands it whatever arrived early.</summary>
    public void Register(ulong handleId, IFfiEventSink sink)
    {
        lock (_gate)
        {
            _sinks[handleId] = sink;
            if (_waiting.Remove(handleId, out Queue<FfiEvent>? early))
            {
                while (early.TryDequeue(out FfiEvent? ffiEvent))
                {
                    sink.Post(ffiEvent);
                }
            }
        }
    }

    /// <summary>Unregisters the owner (or gives up on one that never came); later events for the handle are released.</summary>
    public void Unregister(ulong handleId)
    {
        Queue<FfiEvent>? orphans;
        lock (_gate)
        {
            _sinks.Remove(handleId);
            _retired.Add(handleId);
            _waiting.Remove(handleId, out orphans);
        }

        while (orphans is not null && orphans.TryDequeue(out FfiEvent? orphan))
        {
            FfiEventHandles.Release(orphan);
        }
    }

    /// <summary>Delivers an event to its owner (callback thread). The lock is held only to post or queue.</summary>
    public void Route(ulong handleId, FfiEvent ffiEvent)
    {
        lock (_gate)
        {
            if (_sinks.TryGetValue(handleId, out IFfiEventSink? sink))
            {
                sink.Post(ffiEvent);
                return;
            }

            if (_retired.Contains(handleId))
            {
                // The end-of-stream event is the last one a handle gets: nothing more to watch for.
                if (IsEndOfEvents(ffiEvent))
                {
                    _retired.Remove(handleId);
                }
            }
            else
            {
                if (!_waiting.TryGetValue(handleId, out Queue<FfiEvent>? queue))
                {
                    queue = new Queue<FfiEvent>();
                    _waiting[handleId] = queue;
                }

                if (queue.Count < MaxWaitingPerHandle)
                {
                    queue.Enqueue(ffiEvent);
                    return;
                }
            }
        }

        FfiEventHandles.Release(ffiEvent);
    }

    private static bool IsEndOfEvents(FfiEvent ffiEvent) => ffiEvent.MessageCase switch
    {
        FfiEvent.MessageOneofCase.VideoStreamEvent => ffiEvent.VideoStreamEvent.MessageCase == VideoStreamEvent.MessageOneofCase.Eos,
        FfiEvent.MessageOneofCase.AudioStreamEvent => ffiEvent.AudioStreamEvent.MessageCase == AudioStreamEvent.MessageOneofCase.Eos,
        FfiEvent.MessageOneofCase.RoomEvent => ffiEvent.RoomEvent.MessageCase == RoomEvent.MessageOneofCase.Eos,
        FfiEvent.MessageOneofCase.ByteStreamReaderEvent => ffiEvent.ByteStreamReaderEvent.DetailCase == ByteStreamReaderEvent.DetailOneofCase.Eos,
        _ => false,
    };
}
