using System.Buffers.Binary;

namespace Pipeline.Core.Audio;

/// <summary>The format of a 16-bit PCM RIFF/WAVE file and where its samples start.</summary>
/// <param name="SampleRate">Samples per second per channel, in Hz.</param>
/// <param name="Channels">Interleaved channel count.</param>
/// <param name="DataOffset">Offset of the first sample byte from the start of the file, in bytes.</param>
/// <param name="DataLength">
/// Sample bytes the header declares, or <see langword="null"/> when it carries a streaming writer's placeholder
/// (0 or 0xFFFFFFFF, as <c>espeak-ng --stdout</c> and streaming TTS services write): the samples then run to the end.
/// </param>
public readonly record struct WavHeader(int SampleRate, int Channels, int DataOffset, long? DataLength);

/// <summary>
/// Reads and writes RIFF/WAVE files of 16-bit PCM, the one WAV codec of the project (the speech engines, the AI
/// processors and the examples all use it). Other encodings are refused with an <see cref="InvalidDataException"/>
/// that names what the file holds.
/// </summary>
public static class WavFile
{
    /// <summary>Length of the canonical header <see cref="Write"/> produces, in bytes.</summary>
    public const int CanonicalHeaderBytes = 44;

    /// <summary>The media type of a WAV file.</summary>
    public const string MediaType = "audio/wav";

    private const ushort PcmFormatTag = 1;
    private const ushort ExtensibleFormatTag = 0xFFFE;

    /// <summary>Whether the bytes start like a RIFF/WAVE file.</summary>
    public static bool LooksLikeWav(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes.Slice(8, 4).SequenceEqual("WAVE"u8);

    /// <summary>
    /// Reads the header from the start of a file that may still be arriving: <see langword="false"/> while the bytes
    /// end before the start of the <c>data</c> chunk.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a RIFF/WAVE file, not 16-bit integer PCM, or an unusable format; the message says which.</exception>
    public static bool TryReadHeader(ReadOnlySpan<byte> bytes, out WavHeader header)
    {
        header = default;
        if (bytes.Length < 12)
        {
            return false;
        }

        if (!LooksLikeWav(bytes))
        {
            throw new InvalidDataException("The audio is not a RIFF/WAVE file (it does not start with 'RIFF....WAVE').");
        }

        (int Rate, int Channels)? format = null;
        long offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            ReadOnlySpan<byte> id = bytes.Slice((int)offset, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice((int)offset + 4, 4));
            int body = (int)offset + 8;
            if (id.SequenceEqual("data"u8))
            {
                if (format is not { } f)
                {
                    throw new InvalidDataException("The WAV file has its 'data' chunk before its 'fmt ' chunk.");
                }

                header = new WavHeader(f.Rate, f.Channels, body, size is 0 or uint.MaxValue ? null : size);
                return true;
            }

            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16)
                {
                    throw new InvalidDataException($"The WAV 'fmt ' chunk is {size} bytes; a PCM format needs at least 16.");
                }

                if (bytes.Length < body + 16)
                {
                    return false;
                }

                format = ReadFormat(bytes.Slice(body, (int)Math.Min(size, (uint)(bytes.Length - body))));
            }

            offset = body + (long)size + (size & 1);
        }

        return false;
    }

    /// <summary>Reads the header of a complete file.</summary>
    /// <exception cref="InvalidDataException">The file is not 16-bit PCM WAV, or ends before its samples; the message says which.</exception>
    public static WavHeader ReadHeader(ReadOnlySpan<byte> file) =>
        TryReadHeader(file, out WavHeader header)
            ? header
            : throw new InvalidDataException(
                file.Length < 12
                    ? $"The WAV file is {file.Length} bytes, shorter than a RIFF/WAVE header."
                    : "The WAV file ends before its 'data' chunk: it is truncated or has no samples.");

    /// <summary>
    /// The whole sample frames of a complete file (interleaved 16-bit little-endian PCM, a slice of
    /// <paramref name="file"/>): as many as the header declares and the file holds.
    /// </summary>
    /// <exception cref="InvalidDataException">As <see cref="ReadHeader"/>.</exception>
    public static ReadOnlySpan<byte> Samples(ReadOnlySpan<byte> file, out WavHeader header)
    {
        header = ReadHeader(file);
        long available = file.Length - header.DataOffset;
        int length = (int)Math.Min(header.DataLength ?? available, available);
        length -= length % (PcmFormat.BytesPerSample * header.Channels);
        return file.Slice(header.DataOffset, length);
    }

    /// <summary>Writes the canonical 44-byte header for <paramref name="dataBytes"/> bytes of 16-bit PCM.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than 44 bytes, or the format is out of range.</exception>
    public static void WriteHeader(Span<byte> destination, int dataBytes, int sampleRate, int channels = 1)
    {
        PcmFormat.Validate(dataBytes, sampleRate, channels, nameof(dataBytes));
        if (destination.Length < CanonicalHeaderBytes)
        {
            throw new ArgumentException($"A WAV header needs {CanonicalHeaderBytes} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        Span<byte> h = destination;
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(36 + dataBytes));
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], PcmFormatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], (uint)(sampleRate * channels * PcmFormat.BytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], (ushort)(channels * PcmFormat.BytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], (uint)dataBytes);
    }

    /// <summary>A WAV file holding <paramref name="pcm"/> (16-bit little-endian, interleaved) after a canonical header.</summary>
    /// <exception cref="ArgumentException">The length, rate or channel count does not describe whole 16-bit PCM frames.</exception>
    public static byte[] Write(ReadOnlySpan<byte> pcm, int sampleRate, int channels = 1)
    {
        byte[] file = new byte[CanonicalHeaderBytes + pcm.Length];
        WriteHeader(file, pcm.Length, sampleRate, channels);
        pcm.CopyTo(file.AsSpan(CanonicalHeaderBytes));
        return file;
    }

    private static (int Rate, int Channels) ReadFormat(ReadOnlySpan<byte> fmt)
    {
        int tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == ExtensibleFormatTag && fmt.Length >= 26)
        {
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]); // the first two bytes of the sub-format GUID
        }

        if ((tag != PcmFormatTag && tag != ExtensibleFormatTag) || bits != 16)
        {
            throw new InvalidDataException(
                $"The WAV audio is format {tag} with {bits} bits per sample; only 16-bit integer PCM (format 1) is supported.");
        }

        if (rate is < PcmFormat.MinSampleRate or > PcmFormat.MaxSampleRate || channels is < 1 or > PcmFormat.MaxChannels)
        {
            throw new InvalidDataException(
                $"The WAV audio has {rate} Hz and {channels} channels; supported are {PcmFormat.MinSampleRate} to " +
                $"{PcmFormat.MaxSampleRate} Hz and 1 to {PcmFormat.MaxChannels} channels.");
        }

        return ((int)rate, channels);
    }
}
