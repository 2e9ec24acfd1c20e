using System.Collections.Concurrent;
using Pipeline.Core.Frames;

namespace Pipeline.LiveKit.Tests.Transport;

/// <summary>
/// The room as the output processor sees it, recorded: what was published, every capture with the clock's time, and
/// clears. For tests of the processor's own frame handling (pacing, validation, interruption), not of LiveKit.
/// </summary>
internal sealed class FakeOutputLink(TimeProvider clock, Exception? publishFailure = null) : IOutputTransportLink, IOutputMediaSink
{
    private readonly long _start = clock.GetTimestamp();

    public OutputMediaFormat? Published { get; private set; }

    /// <summary>Pictures sent, each with the time it was due (the capture timestamp the output gave: when its wait ended, on its clock).</summary>
    public ConcurrentQueue<(TimeSpan At, int Width, int Height, PixelFormat Format, byte[] Pixels)> Video { get; } = new();

    public ConcurrentQueue<(TimeSpan At, byte[] Pcm)> Audio { get; } = new();

    public int Clears;

    public int Releases;

    public Task<IOutputMediaSink> OpenOutputAsync(OutputMediaFormat format, CancellationToken cancellationToken)
    {
        if (publishFailure is not null)
        {
            return Task.FromException<IOutputMediaSink>(publishFailure);
        }

        Published = format;
        return Task.FromResult<IOutputMediaSink>(this);
    }

    public ValueTask ReleaseOutputAsync()
    {
        Interlocked.Increment(ref Releases);
        return default;
    }

    public Task CaptureAudioAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken)
    {
        Audio.Enqueue((clock.GetElapsedTime(_start), pcm.ToArray()));
        return Task.CompletedTask;
    }

    public void CaptureVideo(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, long timestampMicroseconds) =>
        Video.Enqueue((TimeSpan.FromMicroseconds(timestampMicroseconds), width, height, format, pixels.ToArray()));

    public void ClearAudio() => Interlocked.Increment(ref Clears);
}
