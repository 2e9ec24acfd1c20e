namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// Waits for a dispatched avatar worker to be ready in the agent's room: joined, and (when asked) publishing a video
/// track. Watches from before the dispatch, so a worker that is quick is not missed, and looks at who is already
/// there. Fails at once when the room drops or the worker leaves again; the caller bounds the wait.
/// </summary>
internal sealed class WorkerArrival : IDisposable
{
    private readonly Room _room;
    private readonly string _identity;
    private readonly bool _waitForVideo;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _joined;

    public WorkerArrival(Room room, string identity, bool waitForVideo)
    {
        _room = room;
        _identity = identity;
        _waitForVideo = waitForVideo;
        room.ParticipantConnected += OnParticipantConnected;
        room.TrackPublished += OnTrackPublished;
        room.ParticipantDisconnected += OnParticipantDisconnected;
        room.Disconnected += OnDisconnected;
        Check(); // after subscribing: a worker already there is seen here, one joining now by the events
    }

    /// <summary>Completes when the worker is ready; faults when it cannot be any more.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Whether the worker has joined (for the timeout's message).</summary>
    public bool Joined => Volatile.Read(ref _joined) != 0;

    public void Dispose()
    {
        _room.ParticipantConnected -= OnParticipantConnected;
        _room.TrackPublished -= OnTrackPublished;
        _room.ParticipantDisconnected -= OnParticipantDisconnected;
        _room.Disconnected -= OnDisconnected;
    }

    private void Check()
    {
        if (_room.GetParticipant(_identity) is not { } worker)
        {
            return;
        }

        Volatile.Write(ref _joined, 1);
        if (!_waitForVideo || worker.Publications.Any(p => p.Kind == TrackKind.Video))
        {
            _ready.TrySetResult();
        }
    }

    private void OnParticipantConnected(object? sender, ParticipantConnectedEventArgs e)
    {
        if (e.Participant.Identity == _identity)
        {
            Check();
        }
    }

    private void OnTrackPublished(object? sender, TrackPublishedEventArgs e)
    {
        if (e.Participant.Identity == _identity)
        {
            Check();
        }
    }

    private void OnParticipantDisconnected(object? sender, ParticipantDisconnectedEventArgs e)
    {
        if (e.Identity == _identity)
        {
            _ready.TrySetException(new LiveKitException($"The avatar worker '{_identity}' joined the room and left again before it was ready ({e.Reason})."));
        }
    }

    private void OnDisconnected(object? sender, RoomDisconnectedEventArgs e) =>
        _ready.TrySetException(new LiveKitException($"The agent's room disconnected ({e.Reason}) while waiting for the avatar worker '{_identity}'."));
}
