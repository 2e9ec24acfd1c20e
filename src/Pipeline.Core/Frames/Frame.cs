namespace Pipeline.Core.Frames;

/// <summary>
/// The unit that flows through a pipeline. Every frame has a process-unique, increasing <see cref="Id"/>,
/// a <see cref="Name"/> for logs, an optional presentation timestamp and a metadata bag.
/// </summary>
/// <remarks>
/// Frames come in three kinds with different scheduling: <see cref="SystemFrame"/>s overtake queued frames,
/// while <see cref="ControlFrame"/>s and <see cref="DataFrame"/>s are processed strictly in order.
/// </remarks>
public abstract class Frame
{
    private static long s_nextId;
    private Dictionary<string, object?>? _metadata;
    private int _pushes;

    /// <summary>Creates a frame with a fresh id.</summary>
    protected Frame()
    {
        Id = Interlocked.Increment(ref s_nextId);
    }

    /// <summary>A process-unique identifier; frames created later have larger ids.</summary>
    public long Id { get; }

    /// <summary>A short name for logs, e.g. <c>TextFrame#42</c>.</summary>
    public string Name => $"{GetType().Name}#{Id}";

    /// <summary>Presentation timestamp relative to the start of the stream, when known.</summary>
    public TimeSpan? PresentationTimestamp { get; set; }

    /// <summary>Free-form metadata that processors may attach; allocated on first use.</summary>
    public IDictionary<string, object?> Metadata => _metadata ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>True when metadata has been attached, without allocating the bag.</summary>
    public bool HasMetadata => _metadata is { Count: > 0 };

    /// <summary>
    /// The pooled buffer holding this frame's payload (a <see cref="FrameBuffer"/>), or null when the payload is
    /// ordinary memory. The frame owns one reference to it (docs/frame-buffers.md).
    /// </summary>
    public virtual FrameBuffer? PooledBuffer => null;

    /// <summary>
    /// Takes one more reference to the frame's pooled buffer, for a holder that keeps the frame past its
    /// <c>ProcessFrameAsync</c> (or pushes it twice): each <see cref="Retain"/> is matched by one <see cref="Release"/>.
    /// Does nothing for a frame without a pooled buffer, so generic code can call it on any frame.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer was already released.</exception>
    public void Retain() => PooledBuffer?.Retain();

    /// <summary>
    /// Gives back one reference to the frame's pooled buffer; the last one returns the memory to its pool. Does nothing
    /// for a frame without a pooled buffer. The pipeline already releases frames it drops, frames that reach its end
    /// and frames a processor neither pushed nor kept: call it only for references you took.
    /// </summary>
    public void Release() => PooledBuffer?.Release();

    /// <summary>How many times the frame was pushed (counted for pooled frames only; tells the scheduler whether a
    /// processor passed the frame on).</summary>
    internal int PushCount => Volatile.Read(ref _pushes);

    internal void OnPushed() => Interlocked.Increment(ref _pushes);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// Frames that are handled as soon as they reach a processor, ahead of any queued data and control frames
/// (start, cancel, interruption, errors, speaking events, metrics).
/// </summary>
public abstract class SystemFrame : Frame;

/// <summary>Frames that carry lifecycle or control information and are processed in order with data frames.</summary>
public abstract class ControlFrame : Frame;

/// <summary>Frames that carry content (audio, images, text), processed in order.</summary>
public abstract class DataFrame : Frame;

/// <summary>
/// Marks a frame that an interruption never drops from a queue (for example <see cref="EndFrame"/>).
/// </summary>
public interface IUninterruptibleFrame;
