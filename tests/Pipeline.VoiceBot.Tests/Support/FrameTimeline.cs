using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Observers;
using Pipeline.Core.Processors;

namespace Pipeline.VoiceBot.Tests.Support;

/// <summary>Every hop of every frame in the pipeline, with the pipeline clock's time, for assertions on who pushed what and when.</summary>
internal sealed class FrameTimeline : IFrameObserver
{
    private readonly ConcurrentQueue<FramePushed> _pushes = new();

    public IReadOnlyList<FramePushed> Pushes => [.. _pushes];

    /// <summary>The frames of type <typeparamref name="T"/> that <paramref name="source"/> pushed the given way, in order.</summary>
    public IReadOnlyList<(T Frame, DateTimeOffset At)> From<T>(FrameProcessor source, FrameDirection direction = FrameDirection.Downstream)
        where T : Frame =>
        [.. _pushes.Where(p => p.Source == source && p.Direction == direction && p.Frame is T).Select(p => ((T)p.Frame, p.Timestamp))];

    public ValueTask OnFramePushedAsync(FramePushed pushed, CancellationToken cancellationToken)
    {
        _pushes.Enqueue(pushed);
        return default;
    }
}
