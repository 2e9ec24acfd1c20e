using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.Core.Tests.Support;

/// <summary>Records every frame it processes (with direction), then passes it on.</summary>
internal sealed class RecordingProcessor(string? name = null, FrameProcessorOptions? options = null) : FrameProcessor(name, options)
{
    private readonly ConcurrentQueue<(Frame Frame, FrameDirection Direction)> _seen = new();

    public IReadOnlyList<Frame> Seen => _seen.Select(s => s.Frame).ToList();

    public IReadOnlyList<Frame> SeenDownstream => _seen.Where(s => s.Direction == FrameDirection.Downstream).Select(s => s.Frame).ToList();

    public Func<Frame, bool>? SignalWhen { get; init; }

    public TaskCompletionSource Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        _seen.Enqueue((frame, direction));
        if (SignalWhen?.Invoke(frame) == true)
        {
            Signal.TrySetResult();
        }

        return PushFrameAsync(frame, direction, cancellationToken);
    }
}

/// <summary>
/// Blocks inside ProcessFrameAsync on frames matching <see cref="BlockOn"/> until <see cref="Release"/> is called
/// or the frame's token is cancelled; tells when it has entered the block.
/// </summary>
internal sealed class GateProcessor(Func<Frame, bool> blockOn) : FrameProcessor
{
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<CancellationToken> CancelledWhileBlocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<Frame, bool> BlockOn { get; } = blockOn;

    public void Release() => _gate.TrySetResult();

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (BlockOn(frame))
        {
            Entered.TrySetResult();
            try
            {
                await _gate.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                CancelledWhileBlocked.TrySetResult(cancellationToken);
                throw;
            }

            _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        await PushFrameAsync(frame, direction, cancellationToken);
    }
}

/// <summary>Throws on frames matching a predicate; passes the others on.</summary>
internal sealed class ThrowingProcessor(Func<Frame, bool> throwOn, string message = "boom") : FrameProcessor
{
    /// <summary>Report a fatal error (and consume the frame) instead of throwing.</summary>
    public bool Fatal { get; init; }

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (throwOn(frame))
        {
            if (!Fatal)
            {
                throw new InvalidOperationException(message);
            }

            await PushErrorAsync(message, fatal: true);
            return;
        }

        await PushFrameAsync(frame, direction, cancellationToken);
    }
}

/// <summary>Tags text frames with a suffix, to see which processors a frame went through.</summary>
internal sealed class SuffixProcessor(string tag) : FrameProcessor(tag)
{
    protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken) =>
        frame is TextFrame text
            ? PushFrameAsync(new TextFrame(text.Text + Name), direction, cancellationToken)
            : PushFrameAsync(frame, direction, cancellationToken);
}

/// <summary>Numbered data frame.</summary>
internal sealed class NumberFrame(int number) : DataFrame
{
    public int Number { get; } = number;

    public override string ToString() => $"{Name}({Number})";
}

/// <summary>A custom system frame for overtaking tests.</summary>
internal sealed class PingFrame : SystemFrame;

internal static class TestTimeouts
{
    /// <summary>Upper bound for waits on events that should happen promptly; only a hang reaches it.</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(20);
}
