using System.Buffers.Binary;

namespace Pipeline.WebSocket.Protocol;

/// <summary>What a binary message carries (its first byte).</summary>
internal enum MediaKind : byte
{
    /// <summary>PCM16 little-endian audio.</summary>
    Audio = 1,

    /// <summary>A JPEG image.</summary>
    Video = 2,
}

/// <summary>
/// The 16-byte header of every binary message (docs/websocket-protocol.md), little-endian:
/// kind (1 byte), protocol version (1 byte), channels (2 bytes, audio) or 0, sample rate in Hz (4 bytes, audio) or
/// width and height in pixels (2 + 2 bytes, video), timestamp in microseconds (8 bytes); the payload follows.
/// </summary>
internal readonly record struct MediaHeader(MediaKind Kind, int Channels, int SampleRate, int Width, int Height, long TimestampMicroseconds)
{
    /// <summary>The header's size in bytes.</summary>
    public const int Size = 16;

    /// <summary>An audio header.</summary>
    public static MediaHeader ForAudio(int sampleRate, int channels, long timestampMicroseconds) =>
        new(MediaKind.Audio, channels, sampleRate, 0, 0, timestampMicroseconds);

    /// <summary>A video header.</summary>
    public static MediaHeader ForVideo(int width, int height, long timestampMicroseconds) =>
        new(MediaKind.Video, 0, 0, width, height, timestampMicroseconds);

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)Kind;
        destination[1] = WireProtocol.Version;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)Channels);
        if (Kind == MediaKind.Audio)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)SampleRate);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], (ushort)Width);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)Height);
        }

        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], TimestampMicroseconds);
    }

    /// <summary>Reads a header; the error says what is wrong with the message when it is not a valid one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out MediaHeader header, out string? error)
    {
        header = default;
        if (message.Length < Size)
        {
            error = $"a binary message needs the {Size}-byte media header, this one has {message.Length} bytes";
            return false;
        }

        if (message[1] != WireProtocol.Version)
        {
            error = $"binary message version {message[1]}, the server speaks {WireProtocol.Version}";
            return false;
        }

        long timestamp = BinaryPrimitives.ReadInt64LittleEndian(message[8..]);
        switch ((MediaKind)message[0])
        {
            case MediaKind.Audio:
                header = ForAudio((int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(message[4..]), int.MaxValue),
                    BinaryPrimitives.ReadUInt16LittleEndian(message[2..]), timestamp);
                break;
            case MediaKind.Video:
                header = ForVideo(BinaryPrimitives.ReadUInt16LittleEndian(message[4..]), BinaryPrimitives.ReadUInt16LittleEndian(message[6..]), timestamp);
                break;
            default:
                error = $"unknown binary message kind {message[0]} (1 = audio, 2 = video)";
                return false;
        }

        error = null;
        return true;
    }
}
