using System.Buffers.Binary;
using Pipeline.Core.Audio;

namespace Pipeline.Core.Tests.Audio;

public sealed class WavFileTests
{
    private static readonly byte[] Pcm = [1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0];

    [Fact]
    public void A_written_file_reads_back_to_the_same_samples_and_format()
    {
        byte[] file = WavFile.Write(Pcm, 22_050, channels: 2);

        file.Length.Should().Be(WavFile.CanonicalHeaderBytes + Pcm.Length);
        WavFile.Samples(file, out WavHeader header).ToArray().Should().Equal(Pcm);
        header.Should().Be(new WavHeader(22_050, 2, WavFile.CanonicalHeaderBytes, Pcm.Length));
    }

    [Fact]
    public void A_header_arriving_in_pieces_is_incomplete_until_the_data_chunk_starts()
    {
        byte[] file = WavFile.Write(Pcm, 16_000);

        for (int length = 0; length < WavFile.CanonicalHeaderBytes; length++)
        {
            WavFile.TryReadHeader(file.AsSpan(0, length), out _).Should().BeFalse("{0} bytes end before the data chunk", length);
        }

        WavFile.TryReadHeader(file.AsSpan(0, WavFile.CanonicalHeaderBytes), out WavHeader header).Should().BeTrue();
        header.DataOffset.Should().Be(WavFile.CanonicalHeaderBytes);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(uint.MaxValue)]
    public void A_streaming_placeholder_length_means_the_samples_run_to_the_end(uint placeholder)
    {
        byte[] file = WavFile.Write(Pcm, 16_000);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(40), placeholder);

        WavFile.Samples(file, out WavHeader header).ToArray().Should().Equal(Pcm);
        header.DataLength.Should().BeNull();
    }

    [Fact]
    public void Chunks_before_the_data_are_skipped_with_their_pad_byte_and_chunks_after_it_are_not_samples()
    {
        byte[] canonical = WavFile.Write(Pcm, 16_000);
        byte[] list = [.. "LIST"u8, 3, 0, 0, 0, .. "abc"u8, 0];
        byte[] file = [.. canonical.AsSpan(0, 36), .. list, .. canonical.AsSpan(36), .. "LIST"u8, 4, 0, 0, 0, .. "tail"u8];

        WavFile.Samples(file, out WavHeader header).ToArray().Should().Equal(Pcm);
        header.DataOffset.Should().Be(WavFile.CanonicalHeaderBytes + list.Length);
    }

    [Fact]
    public void A_truncated_file_yields_its_whole_sample_frames()
    {
        byte[] file = WavFile.Write(Pcm, 16_000, channels: 2);

        WavFile.Samples(file.AsSpan(0, file.Length - 3), out _).Length.Should().Be(8, "12 bytes minus 3 leave two whole 4-byte stereo frames");
    }

    [Fact]
    public void Extensible_format_with_a_PCM_sub_format_is_accepted()
    {
        byte[] canonical = WavFile.Write(Pcm, 48_000);
        byte[] fmt = new byte[40];
        canonical.AsSpan(20, 16).CopyTo(fmt);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), 1);
        byte[] file = [.. "RIFF"u8, 0, 0, 0, 0, .. "WAVE"u8, .. "fmt "u8, 40, 0, 0, 0, .. fmt, .. canonical.AsSpan(36)];

        WavFile.Samples(file, out WavHeader header).ToArray().Should().Equal(Pcm);
        header.SampleRate.Should().Be(48_000);
    }

    [Fact]
    public void Eight_bit_audio_is_refused_naming_what_the_file_holds()
    {
        byte[] file = WavFile.Write(Pcm, 16_000);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(34), 8);

        Action read = () => WavFile.ReadHeader(file);

        read.Should().Throw<InvalidDataException>().WithMessage("*format 1 with 8 bits per sample*only 16-bit integer PCM*");
    }

    [Fact]
    public void Bytes_that_are_not_a_wav_file_are_refused()
    {
        Action read = () => WavFile.ReadHeader("ID3\u0004 this is an mp3 file......"u8);

        read.Should().Throw<InvalidDataException>().WithMessage("*not a RIFF/WAVE file*");
    }

    [Fact]
    public void A_data_chunk_before_the_format_is_refused()
    {
        byte[] file = [.. "RIFF"u8, 0, 0, 0, 0, .. "WAVE"u8, .. "data"u8, 2, 0, 0, 0, 1, 0];

        Action read = () => WavFile.ReadHeader(file);

        read.Should().Throw<InvalidDataException>().WithMessage("*'data' chunk before its 'fmt ' chunk*");
    }

    [Fact]
    public void A_file_without_samples_says_so()
    {
        byte[] file = WavFile.Write(Pcm, 16_000).AsSpan(0, 36).ToArray();

        Action read = () => WavFile.ReadHeader(file);

        read.Should().Throw<InvalidDataException>().WithMessage("*ends before its 'data' chunk*");
    }

    [Fact]
    public void An_unusable_rate_is_refused_when_written_and_when_read()
    {
        Action write = () => WavFile.Write(Pcm, 1_000);
        byte[] file = WavFile.Write(Pcm, 16_000);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24), 1_000);
        Action read = () => WavFile.ReadHeader(file);

        write.Should().Throw<ArgumentOutOfRangeException>();
        read.Should().Throw<InvalidDataException>().WithMessage("*1000 Hz*");
    }
}
