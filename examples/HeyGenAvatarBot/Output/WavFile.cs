using System.Buffers.Binary;
using System.Text;

namespace HeyGenAvatarBot.Output;

/// <summary>Reads 16-bit PCM WAV files (RIFF/WAVE, format 1): the scripted user turns.</summary>
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
}
