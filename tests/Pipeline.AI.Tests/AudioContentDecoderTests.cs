using System.Buffers.Binary;
using Pipeline.AI.Audio;
using Pipeline.Core.Audio;

namespace Pipeline.AI.Tests;

public sealed class AudioContentDecoderTests
{
    [Fact]
    public void A_WAV_fed_byte_by_byte_decodes_to_its_samples_and_ignores_chunks_after_the_data()
    {
        byte[] pcm = Pcm16.Sine(300, TimeSpan.FromMilliseconds(10), 16_000);
        byte[] wav = [.. WavFile.Write(pcm, 16_000), .. "LIST"u8, 4, 0, 0, 0, .. "abcd"u8];
        var decoder = new AudioContentDecoder(24_000);

        var decoded = new List<byte>();
        foreach (byte b in wav)
        {
            decoded.AddRange(decoder.Decode([b], "audio/wav"));
        }

        decoder.SampleRate.Should().Be(16_000);
        decoded.Should().Equal(pcm);
    }

    [Fact]
    public void Big_endian_L16_is_swapped_to_little_endian()
    {
        byte[] bigEndian = [0x12, 0x34, 0xFF, 0xFE];
        byte[] decoded = new AudioContentDecoder(24_000).Decode(bigEndian, "audio/L16;rate=8000");
        BinaryPrimitives.ReadInt16LittleEndian(decoded).Should().Be(0x1234);
        BinaryPrimitives.ReadInt16LittleEndian(decoded.AsSpan(2)).Should().Be(unchecked((short)0xFFFE));
    }

    [Fact]
    public void An_8_bit_WAV_is_refused_with_what_is_supported()
    {
        byte[] wav = WavFile.Write(new byte[100], 16_000);
        BinaryPrimitives.WriteUInt16LittleEndian(wav.AsSpan(34), 8);
        Action decode = () => new AudioContentDecoder(24_000).Decode(wav, "audio/wav");
        decode.Should().Throw<UnsupportedAudioFormatException>().WithMessage("*8 bits per sample*only 16-bit integer PCM*");
    }

    [Fact]
    public void A_raw_PCM_rate_out_of_range_is_refused()
    {
        Action decode = () => new AudioContentDecoder(24_000).Decode(new byte[4], "audio/pcm; rate=1000");
        decode.Should().Throw<UnsupportedAudioFormatException>().WithMessage("*1000 Hz*8000 to 192000 Hz*");
    }
}
