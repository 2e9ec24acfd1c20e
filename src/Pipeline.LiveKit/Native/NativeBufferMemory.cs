using System.Buffers;

namespace Pipeline.LiveKit.Native;

/// <summary>
/// Exposes native memory owned by a handle as <see cref="Memory{T}"/> without copying. New spans are refused once
/// the owner has released the memory, so a stale <see cref="ReadOnlyMemory{T}"/> fails loudly instead of reading
/// freed memory.
/// </summary>
internal sealed unsafe class NativeBufferMemory(ulong address, int length, SafeHandleProbe owner) : MemoryManager<byte>
{
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(owner.IsReleased, this);
        return new Span<byte>((void*)address, length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(owner.IsReleased, this);
        return new MemoryHandle((byte*)address + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}

/// <summary>Tells whether the handle that owns some native memory has been released.</summary>
internal sealed class SafeHandleProbe(FfiHandle handle)
{
    public bool IsReleased => handle.IsClosed;
}
