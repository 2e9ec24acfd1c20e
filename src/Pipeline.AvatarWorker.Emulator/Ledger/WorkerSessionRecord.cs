using System.Collections.Concurrent;

namespace Pipeline.AvatarWorker.Emulator;

/// <summary>
/// One session the emulator created (<c>POST /v1/session</c>) and the life of its worker: who it is, when it joined and
/// left and why, the audio streams it received, the <c>lk.clear_buffer</c> calls and the RPCs it sent. The session's
/// token is not kept here: tests compare identities, never secrets. Thread-safe; each property is a snapshot.
/// </summary>
public sealed class WorkerSessionRecord
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<AudioStreamRecord> _streams = new();
    private readonly ConcurrentQueue<ClearBufferRecord> _clears = new();
    private readonly ConcurrentQueue<WorkerRpcRecord> _rpcs = new();
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _left = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _joinedAt;
    private DateTimeOffset? _leftAt;
    private WorkerLeaveReason? _leaveReason;
    private string? _joinError;
    private bool _videoPublished;
    private bool _audioPublished;

    internal WorkerSessionRecord(string id, string avatarId, DateTimeOffset createdAt, Uri liveKitUrl, string room, string workerIdentity, string agentIdentity)
    {
        Id = id;
        AvatarId = avatarId;
        CreatedAt = createdAt;
        LiveKitUrl = liveKitUrl;
        Room = room;
        WorkerIdentity = workerIdentity;
        AgentIdentity = agentIdentity;
    }

    /// <summary>The session id the REST API returned.</summary>
    public string Id { get; }

    /// <summary>The requested avatar.</summary>
    public string AvatarId { get; }

    /// <summary>When the session was created (emulator clock).</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The LiveKit server the worker was sent to.</summary>
    public Uri LiveKitUrl { get; }

    /// <summary>The room in the token's video grant.</summary>
    public string Room { get; }

    /// <summary>The worker's identity (the token's <c>sub</c>).</summary>
    public string WorkerIdentity { get; }

    /// <summary>The agent it publishes for and takes speech from (the token's <c>lk.publish_on_behalf</c> attribute).</summary>
    public string AgentIdentity { get; }

    /// <summary>When the worker joined the room; null until it has.</summary>
    public DateTimeOffset? JoinedAt { get { lock (_gate) { return _joinedAt; } } }

    /// <summary>When the worker's life ended (left the room, or gave up joining); null while it runs.</summary>
    public DateTimeOffset? LeftAt { get { lock (_gate) { return _leftAt; } } }

    /// <summary>Why the worker's life ended; null while it runs.</summary>
    public WorkerLeaveReason? LeaveReason { get { lock (_gate) { return _leaveReason; } } }

    /// <summary>Why joining failed (the server's answer, without the token); null when it joined or has not tried.</summary>
    public string? JoinError { get { lock (_gate) { return _joinError; } } }

    /// <summary>Whether the worker is in the room now.</summary>
    public bool InRoom { get { lock (_gate) { return _joinedAt is not null && _leftAt is null; } } }

    /// <summary>Whether the camera track was published.</summary>
    public bool VideoPublished { get { lock (_gate) { return _videoPublished; } } }

    /// <summary>Whether the microphone track was published.</summary>
    public bool AudioPublished { get { lock (_gate) { return _audioPublished; } } }

    /// <summary>The <c>lk.audio_stream</c> byte streams received, in arrival order.</summary>
    public IReadOnlyList<AudioStreamRecord> Streams => [.. _streams];

    /// <summary>The <c>lk.clear_buffer</c> calls received, in order.</summary>
    public IReadOnlyList<ClearBufferRecord> ClearBufferCalls => [.. _clears];

    /// <summary>The RPCs the worker sent to the agent, in order.</summary>
    public IReadOnlyList<WorkerRpcRecord> RpcsSent => [.. _rpcs];

    /// <summary>Completes once the worker has joined and published its tracks; faults with
    /// <see cref="InvalidOperationException"/> when its life ended without joining.</summary>
    public Task Joined => _joined.Task;

    /// <summary>Completes when the worker's life has ended and everything it ran has stopped. Never faults.</summary>
    public Task Left => _left.Task;

    /// <summary>Finds a received stream by id.</summary>
    /// <param name="streamId">The stream id (the agent's writer's <c>Info.StreamId</c>).</param>
    /// <returns>The stream, or null when it has not arrived.</returns>
    public AudioStreamRecord? FindStream(string streamId) => _streams.FirstOrDefault(s => s.StreamId == streamId);

    internal void AddStream(AudioStreamRecord stream) => _streams.Enqueue(stream);

    internal void AddClear(ClearBufferRecord clear) => _clears.Enqueue(clear);

    internal void AddRpc(WorkerRpcRecord rpc) => _rpcs.Enqueue(rpc);

    internal void MarkPublished(bool video, bool audio)
    {
        lock (_gate)
        {
            _videoPublished |= video;
            _audioPublished |= audio;
        }
    }

    internal void MarkJoined(DateTimeOffset at)
    {
        lock (_gate)
        {
            _joinedAt = at;
        }

        _joined.TrySetResult();
    }

    internal void MarkJoinFailed(string error)
    {
        lock (_gate)
        {
            _joinError = error;
        }
    }

    internal void MarkLeft(DateTimeOffset at, WorkerLeaveReason reason)
    {
        lock (_gate)
        {
            if (_leftAt is not null)
            {
                return;
            }

            _leftAt = at;
            _leaveReason = reason;
        }

        _joined.TrySetException(new InvalidOperationException(
            $"The worker of session {Id} never joined the room ({reason}{(JoinError is { } error ? ": " + error : "")})."));
        _ = _joined.Task.Exception; // observed: a test that never awaits Joined must not see an unobserved exception
    }

    internal void MarkStopped() => _left.TrySetResult();

    /// <inheritdoc />
    public override string ToString() => $"session {Id}: worker '{WorkerIdentity}' for agent '{AgentIdentity}' in room '{Room}'";
}
