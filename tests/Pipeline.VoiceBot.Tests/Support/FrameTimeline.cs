using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Observers;
using Pipeline.Core.Processors;

namespace Pipeline.VoiceBot.Tests.Support;

/// <summary>Every hop of every frame in the pipeline, with the pipeline clock's time, for assertions on who pushed what and when.</summary>
internal sealed class FrameTimeline : IFrameObserver
{
    private readonly ConcurrentQueue<FramePushed> _pushes = new();
    private readonly object _gate = new();
    private readonly List<(Func<FramePushed, bool> Match, TaskCompletionSource Seen)> _waiters = [];

    public IReadOnlyList<FramePushed> Pushes => [.. _pushes];

    /// <summary>The frames of type <typeparamref name="T"/> that <paramref name="source"/> pushed the given way, in order.</summary>
    public IReadOnlyList<(T Frame, DateTimeOffset At)> From<T>(FrameProcessor source, FrameDirection direction = FrameDirection.Downstream)
        where T : Frame =>
        [.. _pushes.Where(p => p.Source == source && p.Direction == direction && p.Frame is T).Select(p => ((T)p.Frame, p.Timestamp))];

    /// <summary>Completes once <paramref name="source"/> has pushed a <typeparamref name="T"/> the given way (at once if it already did).</summary>
    public Task WhenPushed<T>(FrameProcessor source, FrameDirection direction = FrameDirection.Downstream)
        where T : Frame
    {
        bool Match(FramePushed p) => p.Source == source && p.Direction == direction && p.Frame is T;
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_pushes.Any(Match))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((Match, seen));
        }

        return seen.Task;
    }

    public ValueTask OnFramePushedAsync(FramePushed pushed, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _pushes.Enqueue(pushed);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(pushed))
                {
                    _waiters[i].Seen.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }

        return default;
    }
}
