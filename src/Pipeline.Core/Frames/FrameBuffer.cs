using System.Buffers;
using System.Runtime.InteropServices;

namespace Pipeline.Core.Frames;

/// <summary>
/// A pooled, reference-counted block of memory holding one media frame's payload (a 1280x720 RGB24 image is
/// 2.76 MB, I420 1.38 MB), rented from a <see cref="FrameBufferPool"/> and returned to it when the last holder
/// releases it. Attach it to a frame (e.g. <c>new OutputImageRawFrame(buffer, width, height, format)</c>) so that
/// every frame of a stream reuses the same few arrays instead of allocating on the large-object heap.
/// </summary>
/// <remarks>
/// <para>
/// Ownership (docs/frame-buffers.md): <see cref="FrameBufferPool.Rent"/> gives the caller one reference. Creating a
/// frame over the buffer moves that reference into the frame; pushing the frame hands it to the next processor; a
/// processor that keeps the frame past its <c>ProcessFrameAsync</c> calls <see cref="Frame.Retain"/> and later
/// <see cref="Frame.Release"/>; frames the pipeline drops or that reach its end are released by the framework. Each
/// holder releases exactly the references it took.
/// </para>
/// <para>
/// Misuse is loud, never silent reuse of another frame's pixels: once released, <see cref="Memory"/>,
/// <see cref="Span"/> and any <see cref="Memory{T}"/> taken from this buffer earlier throw
/// <see cref="ObjectDisposedException"/> when read (each rental is a new <see cref="FrameBuffer"/> object; only the
/// array underneath is reused). A release past zero is counted in <see cref="FrameBufferPool.DoubleReleases"/> and
/// throws when <see cref="FrameBufferPoolOptions.ThrowOnDoubleRelease"/> is set. A span obtained before the release
/// is not checked again: do not keep spans across an await.
/// </para>
/// <para>Thread-safe: references may be taken and released from any thread.</para>
/// </remarks>
public sealed class FrameBuffer : MemoryManager<byte>
{
    private readonly FrameBufferPool _pool;
    private byte[]? _array;
    private int _references = 1;

    internal FrameBuffer(FrameBufferPool pool, byte[] array, int length)
    {
        _pool = pool;
        _array = array;
        Length = length;
    }

    /// <summary>Length of the payload, in bytes (the array underneath may be longer).</summary>
    public int Length { get; }

    /// <summary>The pool the buffer returns to.</summary>
    public FrameBufferPool Pool => _pool;

    /// <summary>References held now (0 once released). For diagnostics and tests; racy by nature.</summary>
    public int ReferenceCount => Math.Max(0, Volatile.Read(ref _references));

    /// <summary>Whether the last reference was released (the memory is back in the pool).</summary>
    public bool IsReleased => Volatile.Read(ref _references) <= 0;

    /// <summary>The payload, writable (for the producer that fills it).</summary>
    /// <exception cref="ObjectDisposedException">The buffer was released; also thrown when the returned memory's
    /// <see cref="Memory{T}.Span"/> is read after the release.</exception>
    public override Memory<byte> Memory
    {
        get
        {
            ThrowIfReleased();
            return CreateMemory(Length);
        }
    }

    /// <summary>The payload as a span, writable. Valid while a reference is held; do not keep it across an await.</summary>
    /// <exception cref="ObjectDisposedException">The buffer was released.</exception>
    public Span<byte> Span => GetSpan();

    /// <summary>Takes one more reference (for a second holder: a fan-out, or a processor keeping a frame).</summary>
    /// <returns>This buffer.</returns>
    /// <exception cref="ObjectDisposedException">The buffer was already released: a reference can only be taken from
    /// a holder that still has one.</exception>
    public FrameBuffer Retain()
    {
        int current = Volatile.Read(ref _references);
        while (true)
        {
            if (current <= 0)
            {
                throw Released("retained");
            }

            int seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return this;
            }

            current = seen;
        }
    }

    /// <summary>
    /// Gives back one reference; the last one returns the memory to the pool. Releasing more references than were
    /// taken is counted in <see cref="FrameBufferPool.DoubleReleases"/> (and throws when
    /// <see cref="FrameBufferPoolOptions.ThrowOnDoubleRelease"/> is set); the memory is never returned twice.
    /// </summary>
    /// <exception cref="InvalidOperationException">A double release, with <see cref="FrameBufferPoolOptions.ThrowOnDoubleRelease"/> set.</exception>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0)
        {
            return;
        }

        if (left == 0)
        {
            byte[]? array = Interlocked.Exchange(ref _array, null);
            if (array is not null)
            {
                _pool.Return(array);
            }

            return;
        }

        // Past zero: keep the count at zero so every later release is reported too, and the array is returned once.
        Interlocked.Exchange(ref _references, 0);
        _pool.OnDoubleRelease(Length);
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The buffer was released.</exception>
    public override Span<byte> GetSpan()
    {
        byte[]? array = Volatile.Read(ref _array);
        if (array is null || IsReleased)
        {
            throw Released("read");
        }

        return array.AsSpan(0, Length);
    }

    /// <summary>
    /// Pins the payload for native code (e.g. a video engine's capture call). The pin holds its own reference, so the
    /// memory stays valid until the returned handle is disposed even if every other holder releases.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer was released.</exception>
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, Length);
        Retain();
        byte[] array = Volatile.Read(ref _array)!;
        GCHandle handle = GCHandle.Alloc(array, GCHandleType.Pinned);
        byte* pointer = (byte*)handle.AddrOfPinnedObject() + elementIndex;
        return new MemoryHandle(pointer, handle, this);
    }

    /// <summary>Ends a pin: gives back the reference <see cref="Pin"/> took.</summary>
    public override void Unpin() => Release();

    /// <inheritdoc />
    public override string ToString() => $"FrameBuffer({Length} bytes, {ReferenceCount} references)";

    /// <summary>Disposing gives back one reference, as <see cref="Release"/> (the <see cref="IMemoryOwner{T}"/> contract).</summary>
    protected override void Dispose(bool disposing) => Release();

    private void ThrowIfReleased()
    {
        if (IsReleased)
        {
            throw Released("read");
        }
    }

    private ObjectDisposedException Released(string what) => new(
        nameof(FrameBuffer),
        $"A pooled frame buffer ({Length} bytes) was {what} after its last reference was released: its memory is back in " +
        "the pool and may already hold another frame. A processor that keeps a frame past its ProcessFrameAsync must call " +
        "frame.Retain() and later frame.Release() (docs/frame-buffers.md).");
}
