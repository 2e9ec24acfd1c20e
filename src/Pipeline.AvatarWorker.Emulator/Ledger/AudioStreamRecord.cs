using System.Buffers;

namespace Pipeline.AvatarWorker.Emulator;

/// <summary>
/// One byte stream the worker received on <c>lk.audio_stream</c>: its header, what arrived (every byte, so a test can
/// compare it with what the agent sent), how it ended and how it played. Thread-safe; each property is a snapshot.
/// </summary>
public sealed class AudioStreamRecord
{
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _pcm = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _chunks;
    private bool _trailer;
    private bool _cleared;
    private string? _rejection;
    private string? _error;
    private TimeSpan? _playbackStarted;

    internal AudioStreamRecord(string streamId, string senderIdentity, IReadOnlyDictionary<string, string> attributes, DateTimeOffset openedAt)
    {
        StreamId = streamId;
        SenderIdentity = senderIdentity;
        Attributes = attributes;
        OpenedAt = openedAt;
    }

    /// <summary>The stream's id.</summary>
    public string StreamId { get; }

    /// <summary>Who sent it.</summary>
    public string SenderIdentity { get; }

    /// <summary>The stream's attributes (<c>sample_rate</c>, <c>num_channels</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>When its header arrived (emulator clock).</summary>
    public DateTimeOffset OpenedAt { get; }

    /// <summary>Chunks received.</summary>
    public int ChunkCount { get { lock (_gate) { return _chunks; } } }

    /// <summary>Bytes received.</summary>
    public long TotalBytes { get { lock (_gate) { return _pcm.WrittenCount; } } }

    /// <summary>A copy of every byte received, in order (PCM16 as the agent sent it, before any resampling).</summary>
    public byte[] ReceivedPcm { get { lock (_gate) { return _pcm.WrittenSpan.ToArray(); } } }

    /// <summary>Whether the stream's trailer arrived (the sender closed it normally).</summary>
    public bool TrailerReceived { get { lock (_gate) { return _trailer; } } }

    /// <summary>Why the worker refused to play it (not from the agent, no PCM format in its attributes); null when accepted.</summary>
    public string? Rejection { get { lock (_gate) { return _rejection; } } }

    /// <summary>How the stream ended abnormally (the sender interrupted it, the room closed); null otherwise.</summary>
    public string? Error { get { lock (_gate) { return _error; } } }

    /// <summary>Whether <c>lk.clear_buffer</c> cut it (what came after was received but not played).</summary>
    public bool Cleared { get { lock (_gate) { return _cleared; } } }

    /// <summary>When it started playing, on the avatar's playback clock; null if it never did.</summary>
    public TimeSpan? PlaybackStartedAt { get { lock (_gate) { return _playbackStarted; } } }

    /// <summary>Completes when the worker stopped reading it (trailer, error, or room closed). Never faults.</summary>
    public Task Completion => _ended.Task;

    internal void Received(ReadOnlySpan<byte> chunk)
    {
        lock (_gate)
        {
            _chunks++;
            _pcm.Write(chunk);
        }
    }

    internal void Reject(string why)
    {
        lock (_gate)
        {
            _rejection = why;
        }
    }

    internal void MarkCleared()
    {
        lock (_gate)
        {
            _cleared = true;
        }
    }

    internal void MarkPlaybackStarted(TimeSpan at)
    {
        lock (_gate)
        {
            _playbackStarted ??= at;
        }
    }

    internal void End(bool trailer, string? error)
    {
        lock (_gate)
        {
            _trailer = trailer;
            _error = error;
        }

        _ended.TrySetResult();
    }

    /// <inheritdoc />
    public override string ToString() => $"stream {StreamId} from {SenderIdentity}: {ChunkCount} chunks, {TotalBytes} bytes{(TrailerReceived ? ", closed" : "")}";
}
