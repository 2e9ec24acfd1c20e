using System.Buffers.Binary;
using System.Text;

namespace HeyGenAvatarBot.Output;

/// <summary>Reads and writes 16-bit PCM WAV files (RIFF/WAVE, format 1).</summary>
internal static class WavFile
{
    public static (byte[] Pcm, int SampleRate, int Channels) Read(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        if (data.Length < 12 || Encoding.ASCII.GetString(data, 0, 4) != "RIFF" || Encoding.ASCII.GetString(data, 8, 4) != "WAVE")
        {
            throw new InvalidDataException($"{path} is not a WAV file.");
        }

        int rate = 0, channels = 0, bits = 0;
        for (int pos = 12; pos + 8 <= data.Length;)
        {
            string id = Encoding.ASCII.GetString(data, pos, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(pos + 4));
            if (id == "fmt ")
            {
                int format = BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(pos + 8));
                channels = BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(pos + 10));
                rate = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(pos + 12));
                bits = BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(pos + 22));
                if (format != 1 || bits != 16)
                {
                    throw new InvalidDataException($"{path}: only 16-bit PCM WAV is supported.");
                }
            }
            else if (id == "data")
            {
                if (rate == 0)
                {
                    throw new InvalidDataException($"{path}: data before fmt chunk.");
                }

                int length = Math.Min(size, data.Length - pos - 8) & ~1;
                return (data.AsSpan(pos + 8, length).ToArray(), rate, channels);
            }

            pos += 8 + size + (size & 1);
        }

        throw new InvalidDataException($"{path}: no data chunk.");
    }

    /// <summary>Streams PCM into a WAV file, patching the header sizes on dispose.</summary>
    public sealed class Writer : IDisposable
    {
        private readonly FileStream _stream;
        private long _dataBytes;

        public Writer(string path, int sampleRate, int channels)
        {
            _stream = File.Create(path);
            SampleRate = sampleRate;
            Channels = channels;
            Span<byte> header = stackalloc byte[44];
            Encoding.ASCII.GetBytes("RIFF", header);
            Encoding.ASCII.GetBytes("WAVEfmt ", header[8..]);
            BinaryPrimitives.WriteInt32LittleEndian(header[16..], 16);
            BinaryPrimitives.WriteInt16LittleEndian(header[20..], 1);
            BinaryPrimitives.WriteInt16LittleEndian(header[22..], (short)channels);
            BinaryPrimitives.WriteInt32LittleEndian(header[24..], sampleRate);
            BinaryPrimitives.WriteInt32LittleEndian(header[28..], sampleRate * channels * 2);
            BinaryPrimitives.WriteInt16LittleEndian(header[32..], (short)(channels * 2));
            BinaryPrimitives.WriteInt16LittleEndian(header[34..], 16);
            Encoding.ASCII.GetBytes("data", header[36..]);
            _stream.Write(header);
        }

        public int SampleRate { get; }

        public int Channels { get; }

        public TimeSpan Duration => TimeSpan.FromTicks(_dataBytes / (2 * Channels) * TimeSpan.TicksPerSecond / SampleRate);

        public void Write(ReadOnlySpan<byte> pcm)
        {
            _stream.Write(pcm);
            _dataBytes += pcm.Length;
        }

        public void Dispose()
        {
            Span<byte> size = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(size, (int)(36 + _dataBytes));
            _stream.Position = 4;
            _stream.Write(size);
            BinaryPrimitives.WriteInt32LittleEndian(size, (int)_dataBytes);
            _stream.Position = 40;
            _stream.Write(size);
            _stream.Dispose();
        }
    }
}
