using Pipeline.Core.Audio;

namespace Pipeline.WebSocket.Tests.Support;

/// <summary>The loudness of audio over time, in dBFS per 20 ms window, and how well two envelopes line up.</summary>
internal static class LevelEnvelope
{
    public static double[] Of(ReadOnlySpan<byte> pcm, int sampleRate)
    {
        int window = sampleRate / 50 * 2;
        var levels = new double[pcm.Length / window];
        for (int i = 0; i < levels.Length; i++)
        {
            levels[i] = Math.Max(-90, Pcm16.LevelDbfs(pcm.Slice(i * window, window)));
        }

        return levels;
    }

    /// <summary>
    /// The best Pearson correlation of <paramref name="pattern"/> with a same-length stretch of
    /// <paramref name="signal"/>, over every offset: near 1 when the signal contains the pattern's loud and quiet parts
    /// in the same rhythm.
    /// </summary>
    public static (double Correlation, int Offset) BestMatch(double[] pattern, double[] signal)
    {
        (double best, int at) = (double.MinValue, -1);
        for (int offset = 0; offset + pattern.Length <= signal.Length; offset++)
        {
            double r = Pearson(pattern, signal.AsSpan(offset, pattern.Length));
            if (r > best)
            {
                (best, at) = (r, offset);
            }
        }

        return (best, at);
    }

    private static double Pearson(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ma += a[i];
            mb += b[i];
        }

        ma /= a.Length;
        mb /= b.Length;
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }

        return va == 0 || vb == 0 ? 0 : cov / Math.Sqrt(va * vb);
    }
}
