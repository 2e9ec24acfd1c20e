using System.Buffers;

namespace Pipeline.WebSocket.Server;

/// <summary>Something a client did that the input processor turns into frames, in the order it happened.</summary>
internal abstract record InboundEvent(ClientSession Session);

/// <summary>The client's hello was accepted: it is the active client.</summary>
internal sealed record ClientJoined(ClientSession Session) : InboundEvent(Session);

/// <summary>The active client went away; <paramref name="Close"/> says why when the server closed it.</summary>
internal sealed record ClientLeft(ClientSession Session, CloseRequest? Close) : InboundEvent(Session);

/// <summary>
/// A chunk of the client's microphone audio (mono PCM16 in a rented buffer, returned by <see cref="Release"/>), with
/// the header's timestamp: the client's capture time on its wall clock, or 0.
/// </summary>
internal sealed record ClientAudio(ClientSession Session, byte[] Buffer, int Length, int SampleRate, long TimestampMicroseconds) : InboundEvent(Session)
{
    /// <summary>The PCM16 bytes.</summary>
    public ReadOnlySpan<byte> Pcm => Buffer.AsSpan(0, Length);

    /// <summary>Returns the buffer to the pool.</summary>
    public void Release() => ArrayPool<byte>.Shared.Return(Buffer);
}
