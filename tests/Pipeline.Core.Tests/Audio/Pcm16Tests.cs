using Pipeline.Core.Audio;

namespace Pipeline.Core.Tests.Audio;

public sealed class Pcm16Tests
{
    [Fact]
    public void Rms_of_a_half_scale_sine_is_about_minus_9_dBFS()
    {
        byte[] sine = Pcm16.Sine(1_000, TimeSpan.FromSeconds(1), 16_000, amplitude: 0.5);

        Pcm16.Rms(sine).Should().BeApproximately(0.5 / Math.Sqrt(2), 0.001);
        Pcm16.LevelDbfs(sine).Should().BeApproximately(-9.03, 0.05);
    }

    [Fact]
    public void Silence_is_silent()
    {
        byte[] silence = Pcm16.Silence(TimeSpan.FromMilliseconds(20), 24_000);

        silence.Should().HaveCount(960);
        Pcm16.IsSilence(silence).Should().BeTrue();
        Pcm16.LevelDbfs(silence).Should().Be(double.NegativeInfinity);
        Pcm16.IsSilence(Pcm16.Sine(440, TimeSpan.FromMilliseconds(20), 24_000)).Should().BeFalse();
    }

    [Fact]
    public void Stereo_mixes_down_to_the_average_of_both_channels()
    {
        byte[] stereo = [.. BitConverter.GetBytes((short)100), .. BitConverter.GetBytes((short)300), .. BitConverter.GetBytes((short)-50), .. BitConverter.GetBytes((short)-150)];
        byte[] mono = new byte[4];

        Pcm16.MixToMono(stereo, 2, mono).Should().Be(4);

        BitConverter.ToInt16(mono, 0).Should().Be(200);
        BitConverter.ToInt16(mono, 2).Should().Be(-100);
    }

    [Fact]
    public void Mixing_saturates_instead_of_wrapping()
    {
        byte[] a = BitConverter.GetBytes((short)30_000);
        byte[] b = BitConverter.GetBytes((short)10_000);

        Pcm16.MixInto(a, b);

        BitConverter.ToInt16(a, 0).Should().Be(short.MaxValue);
    }

    [Fact]
    public void Durations_and_byte_counts_agree()
    {
        PcmFormat.BytesFor(TimeSpan.FromMilliseconds(400), 24_000).Should().Be(19_200);
        PcmFormat.DurationOf(48_000, 24_000).Should().Be(TimeSpan.FromSeconds(1));
    }
}
