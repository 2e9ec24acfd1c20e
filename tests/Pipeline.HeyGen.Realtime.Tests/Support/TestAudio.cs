using System.Buffers.Binary;

namespace Pipeline.HeyGen.Realtime.Tests.Support;

/// <summary>PCM16 test audio whose every sample differs from its neighbours, so a lost, doubled or reordered byte shows.</summary>
internal static class TestAudio
{
    public const int BytesPerSecond = 48_000;

    public static byte[] Seconds(double seconds, int seed = 0) => Samples((int)(seconds * 24_000), seed);

    public static byte[] Samples(int count, int seed = 0)
    {
        var pcm = new byte[count * 2];
        for (var i = 0; i < count; i++)
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), unchecked((short)((i * 7919) + seed)));
        return pcm;
    }
}
