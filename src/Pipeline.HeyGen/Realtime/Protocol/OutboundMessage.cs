using System.Buffers;

namespace Pipeline.HeyGen.Realtime.Protocol;

/// <summary>
/// One encoded client message waiting in the send queue. It owns a pooled buffer that the send loop returns with
/// <see cref="Release"/> exactly once.
/// </summary>
internal readonly struct OutboundMessage
{
    private readonly byte[] _buffer;

    public OutboundMessage(string type, byte[] buffer, int length, Utterance? utterance)
    {
        Type = type;
        _buffer = buffer;
        Length = length;
        Utterance = utterance;
    }

    /// <summary>The wire type, for logs.</summary>
    public string Type { get; }

    /// <summary>Encoded length in bytes.</summary>
    public int Length { get; }

    /// <summary>The utterance a speak chunk belongs to; null for control messages.</summary>
    public Utterance? Utterance { get; }

    /// <summary>The encoded JSON text.</summary>
    public ReadOnlyMemory<byte> Payload => _buffer.AsMemory(0, Length);

    /// <summary>Returns the buffer to the pool.</summary>
    public void Release()
    {
        if (_buffer is { Length: > 0 }) ArrayPool<byte>.Shared.Return(_buffer);
    }
}
