using Pipeline.Core.Audio;

namespace Pipeline.Core.Tests.Audio;

/// <summary>Issue 12, item 12: one big frame must not leave the resampler holding scratch the size of its output.</summary>
public sealed class ResamplerMemoryTests
{
    [Theory]
    [InlineData(8_000, 48_000)]
    [InlineData(8_000, 24_000)]
    [InlineData(48_000, 8_000)]
    public void Resampling_a_big_frame_works_in_bounded_slices_and_allocates_no_scratch_of_its_size(int inputRate, int outputRate)
    {
        using var resampler = new StreamingResampler(inputRate, outputRate);
        byte[] small = Pcm16.Sine(440, TimeSpan.FromMilliseconds(20), inputRate, amplitude: 0.5);
        byte[] big = Pcm16.Sine(440, TimeSpan.FromSeconds(30), inputRate, amplitude: 0.5);
        byte[] output = new byte[resampler.MaxOutputBytes(big.Length)];
        resampler.Resample(small, new byte[resampler.MaxOutputBytes(small.Length)]); // warm up: what a normal frame needs

        long before = GC.GetAllocatedBytesForCurrentThread();
        int written = resampler.Resample(big, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().BeLessThan(64 * 1024, "a 30 s frame is resampled in slices through fixed scratch, not scratch the size of its output");
        int expectedSamples = (int)((long)big.Length / 2 * outputRate / inputRate);
        (written / 2).Should().BeInRange(expectedSamples - 200, expectedSamples + 200, "every slice's output was written (give or take the filter's delay)");
    }
}
