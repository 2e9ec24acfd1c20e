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
            try
            {
                reachedStart(frame);
            }
            finally
            {
                frame.Release(); // the start of the pipeline is the last consumer of upstream frames
            }

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
            try
            {
                reachedEnd(frame);
            }
            finally
            {
                frame.Release(); // the end of the pipeline is the last consumer: handlers that keep a frame retain it
            }

            return default;
        }

        return PushFrameAsync(frame, direction, cancellationToken);
    }
}
