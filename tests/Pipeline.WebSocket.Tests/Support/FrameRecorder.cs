using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.WebSocket.Tests.Support;

/// <summary>Passes every frame on and remembers it with its direction (the upstream ones never reach the harness).</summary>
internal sealed class FrameRecorder() : FrameProcessor("recorder")
{
    private readonly ConcurrentQueue<(Frame Frame, FrameDirection Direction)> _seen = new();

    public IReadOnlyList<Frame> Upstream => [.. _seen.Where(s => s.Direction == FrameDirection.Upstream).Select(s => s.Frame)];

    public IReadOnlyList<Frame> Downstream => [.. _seen.Where(s => s.Direction == FrameDirection.Downstream).Select(s => s.Frame)];

    /// <summary>The input audio seen so far, concatenated.</summary>
    public byte[] InputAudio() => [.. Downstream.OfType<InputAudioRawFrame>().SelectMany(f => f.Audio.ToArray())];

    protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        _seen.Enqueue((frame, direction));
        return PushFrameAsync(frame, direction, cancellationToken);
    }
}
