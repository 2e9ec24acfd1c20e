using System.Threading.Channels;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Pipelines;

/// <summary>
/// The frames queued into a <see cref="PipelineTask"/> from outside, sent into the pipeline in order by one task
/// (the feeder) once the run has started. Closed when the run ends: later frames are refused.
/// </summary>
internal sealed class QueuedFrameFeeder(TaskHead head)
{
    private readonly Channel<Frame> _pending = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Queues a frame; false once <see cref="Close"/> was called.</summary>
    public bool TryQueue(Frame frame) => _pending.Writer.TryWrite(frame);

    /// <summary>Refuses further frames; the feeder ends once the queued ones are sent.</summary>
    public void Close() => _pending.Writer.TryComplete();

    /// <summary>Sends the queued frames into the pipeline until closed or cancelled.</summary>
    public async Task FeedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (Frame frame in _pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await head.SendAsync(frame, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run finished; frames still queued are dropped with it.
        }
    }

    /// <summary>Releases the pooled buffers of frames that were queued but never sent (after <see cref="Close"/> and the feed ended).</summary>
    public void ReleaseUnsent()
    {
        while (_pending.Reader.TryRead(out Frame? frame))
        {
            frame.Release();
        }
    }
}
