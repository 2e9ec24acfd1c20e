using System.Buffers.Binary;

namespace Pipeline.AI.Audio;

/// <summary>Wraps 16-bit PCM in a canonical 44-byte WAV header, the format every speech-to-text service accepts.</summary>
internal static class WavWriter
{
    public const int HeaderBytes = 44;

    /// <summary>Writes a WAV file holding <paramref name="pcm"/> (16-bit little-endian, interleaved).</summary>
    public static byte[] Write(ReadOnlySpan<byte> pcm, int sampleRate, int channels = 1)
    {
        byte[] wav = new byte[HeaderBytes + pcm.Length];
        Span<byte> h = wav;
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(36 + pcm.Length));
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], (uint)(sampleRate * channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], (ushort)(channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], (uint)pcm.Length);
        pcm.CopyTo(h[HeaderBytes..]);
        return wav;
    }
}
