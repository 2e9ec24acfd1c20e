using System.Buffers.Binary;
using Pipeline.Core.Audio;

namespace Pipeline.LocalEngines;

/// <summary>16-bit PCM audio with its format, read from or written as a RIFF/WAVE file.</summary>
/// <param name="Pcm">Interleaved 16-bit little-endian PCM.</param>
/// <param name="SampleRate">Samples per second per channel, in Hz.</param>
/// <param name="Channels">Interleaved channel count.</param>
internal sealed record WavAudio(byte[] Pcm, int SampleRate, int Channels)
{
    /// <summary>The media type of a WAV file.</summary>
    public const string MediaType = "audio/wav";

    /// <summary>Duration of the audio.</summary>
    public TimeSpan Duration => PcmFormat.DurationOf(Pcm.Length, SampleRate, Channels);

    /// <summary>Whether the bytes start like a RIFF/WAVE file.</summary>
    public static bool LooksLikeWav(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes.Slice(8, 4).SequenceEqual("WAVE"u8);

    /// <summary>
    /// Reads a RIFF/WAVE file of 16-bit PCM. Tolerates the placeholder lengths that streaming writers (such as
    /// <c>espeak-ng --stdout</c>) put in the headers: the data runs to the end of the buffer.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a WAV file, or not 16-bit PCM; the message says which.</exception>
    public static WavAudio Parse(ReadOnlySpan<byte> file)
    {
        if (!LooksLikeWav(file))
        {
            throw new InvalidDataException("The audio is not a RIFF/WAVE file (it does not start with 'RIFF....WAVE').");
        }

        int offset = 12;
        int? rate = null;
        int channels = 0;
        while (offset + 8 <= file.Length)
        {
            ReadOnlySpan<byte> id = file.Slice(offset, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(offset + 4, 4));
            int body = offset + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > file.Length)
                {
                    throw new InvalidDataException("The WAV 'fmt ' chunk is truncated.");
                }

                ushort format = BinaryPrimitives.ReadUInt16LittleEndian(file.Slice(body, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(file.Slice(body + 2, 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(file.Slice(body + 4, 4));
                ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(file.Slice(body + 14, 2));
                // 1 = PCM; 0xFFFE = WAVE_FORMAT_EXTENSIBLE, accepted when the samples are 16-bit.
                if ((format != 1 && format != 0xFFFE) || bits != 16)
                {
                    throw new InvalidDataException($"The WAV audio must be 16-bit PCM; this file has format {format} with {bits} bits per sample.");
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (rate is null)
                {
                    throw new InvalidDataException("The WAV file has its 'data' chunk before its 'fmt ' chunk.");
                }

                long available = file.Length - body;
                int length = (int)Math.Min(size, available);
                length -= length % (2 * channels);
                PcmFormat.Validate(length, rate.Value, channels);
                return new WavAudio(file.Slice(body, length).ToArray(), rate.Value, channels);
            }

            offset = body + (int)Math.Min(size + (size & 1), (uint)(file.Length - body));
        }

        throw new InvalidDataException("The WAV file has no 'data' chunk.");
    }

    /// <summary>Writes the audio as a canonical 44-byte-header WAV file.</summary>
    public byte[] ToWav()
    {
        byte[] file = new byte[44 + Pcm.Length];
        Span<byte> h = file;
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], 36 + Pcm.Length);
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(h[22..], (short)Channels);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(h[28..], SampleRate * Channels * 2);
        BinaryPrimitives.WriteInt16LittleEndian(h[32..], (short)(Channels * 2));
        BinaryPrimitives.WriteInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(h[40..], Pcm.Length);
        Pcm.CopyTo(file, 44);
        return file;
    }
}
