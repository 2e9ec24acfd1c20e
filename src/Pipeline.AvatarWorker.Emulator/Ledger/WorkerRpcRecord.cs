namespace Pipeline.AvatarWorker.Emulator;

/// <summary>One RPC the worker performed on the agent (<c>lk.playback_started</c> or <c>lk.playback_finished</c>) and its outcome.</summary>
public sealed class WorkerRpcRecord
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal WorkerRpcRecord(string method, string payload, string? streamId, DateTimeOffset sentAt)
    {
        Method = method;
        Payload = payload;
        StreamId = streamId;
        SentAt = sentAt;
    }

    /// <summary>The method called on the agent.</summary>
    public string Method { get; }

    /// <summary>The request payload (empty for <c>lk.playback_started</c>; the JSON of
    /// <see cref="Pipeline.LiveKit.AvatarWorkers.AvatarWorkerProtocol.FormatPlaybackFinished"/> for <c>lk.playback_finished</c>).</summary>
    public string Payload { get; }

    /// <summary>The audio stream the call is about, when there is one.</summary>
    public string? StreamId { get; }

    /// <summary>When the call was sent (emulator clock).</summary>
    public DateTimeOffset SentAt { get; }

    /// <summary>The agent's answer, once it answered.</summary>
    public string? Answer { get; private set; }

    /// <summary>Why the call failed (the RPC error code and message), when it did.</summary>
    public string? Error { get; private set; }

    /// <summary>Completes when the call has an answer or an error (never faults).</summary>
    public Task Completion => _done.Task;

    internal void Answered(string answer)
    {
        Answer = answer;
        _done.TrySetResult();
    }

    internal void Failed(string error)
    {
        Error = error;
        _done.TrySetResult();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Method}({Payload}) -> {Answer ?? Error ?? "pending"}";
}
