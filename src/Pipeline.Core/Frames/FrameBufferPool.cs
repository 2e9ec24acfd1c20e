using System.Buffers;

namespace Pipeline.Core.Frames;

/// <summary>
/// Rents <see cref="FrameBuffer"/>s for media frames and takes their memory back when the last reference is released.
/// Large buffers (a video frame) are kept per exact length, so a stream of same-sized frames reuses a handful of
/// arrays and allocates nothing in steady state; small ones (audio blocks) come from
/// <see cref="ArrayPool{T}.Shared"/>. Counters tell how many buffers are out, so a test can prove a run returned all.
/// </summary>
/// <remarks>Thread-safe. Use <see cref="Shared"/> unless you need separate limits or counters (tests do).</remarks>
public sealed class FrameBufferPool
{
    /// <summary>Buffers at least this long (in bytes) are kept by the pool itself; shorter ones use the shared array pool.</summary>
    public const int LargeBufferThreshold = 64 * 1024;

    private readonly FrameBufferPoolOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Stack<byte[]>> _idle = [];
    private long _retainedBytes;
    private long _outstanding;
    private long _rented;
    private long _allocated;
    private long _doubleReleases;

    /// <summary>Creates a pool.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public FrameBufferPool(FrameBufferPoolOptions? options = null)
    {
        _options = options ?? new FrameBufferPoolOptions();
        _options.Validate();
    }

    /// <summary>The process-wide pool the framework and the avatar media path use by default.</summary>
    public static FrameBufferPool Shared { get; } = new();

    /// <summary>Buffers rented and not yet returned (released by their last holder). 0 after a clean run.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>Buffers rented so far.</summary>
    public long Rented => Interlocked.Read(ref _rented);

    /// <summary>Large arrays the pool had to allocate because none of that length was idle (the misses).</summary>
    public long Allocated => Interlocked.Read(ref _allocated);

    /// <summary>Releases past a buffer's last reference (bugs in a holder); the memory was returned once regardless.</summary>
    public long DoubleReleases => Interlocked.Read(ref _doubleReleases);

    /// <summary>Bytes of idle large arrays kept for reuse now.</summary>
    public long RetainedBytes => Interlocked.Read(ref _retainedBytes);

    /// <summary>Rents a buffer of <paramref name="length"/> bytes; the caller holds its one reference. Contents are undefined.</summary>
    /// <param name="length">Payload length in bytes (1 to <see cref="FrameBufferPoolOptions.MaxBufferLength"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is out of range.</exception>
    public FrameBuffer Rent(int length)
    {
        if (length < 1 || length > _options.MaxBufferLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"A frame buffer must be 1 to {_options.MaxBufferLength} bytes (FrameBufferPoolOptions.MaxBufferLength).");
        }

        byte[] array = length < LargeBufferThreshold ? ArrayPool<byte>.Shared.Rent(length) : RentLarge(length);
        Interlocked.Increment(ref _rented);
        Interlocked.Increment(ref _outstanding);
        return new FrameBuffer(this, array, length);
    }

    /// <summary>Rents a buffer and copies <paramref name="source"/> into it (e.g. a native frame into managed memory).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="source"/> is empty or too long.</exception>
    public FrameBuffer RentCopy(ReadOnlySpan<byte> source)
    {
        FrameBuffer buffer = Rent(source.Length);
        source.CopyTo(buffer.Span);
        return buffer;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"FrameBufferPool(outstanding {Outstanding}, rented {Rented}, allocated {Allocated}, retained {RetainedBytes} bytes)";

    internal void Return(byte[] array)
    {
        Interlocked.Decrement(ref _outstanding);
        if (array.Length < LargeBufferThreshold)
        {
            ArrayPool<byte>.Shared.Return(array);
            return;
        }

        lock (_gate)
        {
            if (_retainedBytes + array.Length > _options.MaxRetainedBytes)
            {
                return; // over the limit: the garbage collector takes it
            }

            if (!_idle.TryGetValue(array.Length, out Stack<byte[]>? stack))
            {
                stack = new Stack<byte[]>();
                _idle.Add(array.Length, stack);
            }

            stack.Push(array);
            _retainedBytes += array.Length;
        }
    }

    internal void OnDoubleRelease(int length)
    {
        Interlocked.Increment(ref _doubleReleases);
        if (_options.ThrowOnDoubleRelease)
        {
            throw new InvalidOperationException(
                $"A pooled frame buffer ({length} bytes) was released more times than it was retained. Each holder releases " +
                "only the references it took: the pipeline releases frames it drops or that reach its end, and a processor " +
                "that pushes a frame no longer owns it (docs/frame-buffers.md).");
        }
    }

    private byte[] RentLarge(int length)
    {
        lock (_gate)
        {
            if (_idle.TryGetValue(length, out Stack<byte[]>? stack) && stack.TryPop(out byte[]? idle))
            {
                _retainedBytes -= idle.Length;
                return idle;
            }
        }

        Interlocked.Increment(ref _allocated);
        // On the pinned object heap: native consumers (a video engine's capture) pin it for free, and it is never
        // compacted, as large-object-heap arrays are not anyway.
        return GC.AllocateUninitializedArray<byte>(length, pinned: true);
    }
}
