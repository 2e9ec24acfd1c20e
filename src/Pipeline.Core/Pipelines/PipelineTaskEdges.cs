using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.Core.Pipelines;

/// <summary>Where a task's frames enter the pipeline, and where upstream frames end (told to <paramref name="reachedStart"/>).</summary>
internal sealed class TaskHead(Action<Frame> reachedStart) : FrameProcessor("PipelineTask::Head")
{
    protected override bool UsesQueues => false;

    public ValueTask SendAsync(Frame frame, CancellationToken cancellationToken) =>
        PushFrameAsync(frame, FrameDirection.Downstream, cancellationToken);

    public override ValueTask QueueFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken = default)
    {
        if (direction == FrameDirection.Upstream)
        {
            reachedStart(frame);
            return default;
        }

        return PushFrameAsync(frame, direction, cancellationToken);
    }
}

/// <summary>Where downstream frames end (told to <paramref name="reachedEnd"/>), and where upstream frames would enter.</summary>
internal sealed class TaskTail(Action<Frame> reachedEnd) : FrameProcessor("PipelineTask::Tail")
{
    protected override bool UsesQueues => false;

    public override ValueTask QueueFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken = default)
    {
        if (direction == FrameDirection.Downstream)
        {
            reachedEnd(frame);
            return default;
        }

        return PushFrameAsync(frame, direction, cancellationToken);
    }
}
