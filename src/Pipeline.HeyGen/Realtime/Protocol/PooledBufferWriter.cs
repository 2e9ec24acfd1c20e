using System.Buffers;

namespace Pipeline.HeyGen.Realtime.Protocol;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>. <see cref="Detach"/>
/// hands the written array to its new owner (who returns it to the pool), so encoding a message allocates nothing.
/// Not thread-safe.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private byte[] _buffer = [];
    private int _written;

    /// <summary>Starts a new message with room for at least <paramref name="capacity"/> bytes.</summary>
    public void Start(int capacity)
    {
        if (_buffer.Length < capacity)
        {
            ReturnBuffer();
            _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        }

        _written = 0;
    }

    /// <summary>Bytes written since <see cref="Start"/>.</summary>
    public int WrittenCount => _written;

    /// <summary>Gives away the rented array holding the written bytes; the caller must return it to the shared pool.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var result = (_buffer, _written);
        _buffer = [];
        _written = 0;
        return result;
    }

    public void Advance(int count)
    {
        if (count < 0 || _written + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length) return;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ReturnBuffer();
        _buffer = larger;
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
