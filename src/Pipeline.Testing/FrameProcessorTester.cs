using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;

namespace Pipeline.Testing;

/// <summary>
/// Runs one processor (or pipeline) with a list of frames and returns what it emitted downstream and upstream, so a
/// processor can be tested in a few lines:
/// <code>
/// var result = await FrameProcessorTester.RunAsync(new MyProcessor(), [new TextFrame("hi")]);
/// result.Downstream.Should().ContainSingle(f => f is TextFrame);
/// </code>
/// </summary>
public static class FrameProcessorTester
{
    /// <summary>
    /// Sends a <see cref="StartFrame"/>, then <paramref name="framesToSend"/> downstream, then an
    /// <see cref="EndFrame"/> (unless the list already ends the run), and collects what comes out.
    /// </summary>
    /// <param name="processor">The processor under test; it is disposed when the run ends.</param>
    /// <param name="framesToSend">Frames to send downstream, in order.</param>
    /// <param name="options">Run options (clock, logging, what to leave out of the result).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The frames emitted downstream and upstream, in order of arrival.</returns>
    public static async Task<FrameProcessorTestResult> RunAsync(
        FrameProcessor processor,
        IEnumerable<Frame> framesToSend,
        FrameProcessorTesterOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(processor);
        ArgumentNullException.ThrowIfNull(framesToSend);
        options ??= new FrameProcessorTesterOptions();
        Frame[] frames = framesToSend.ToArray();

        var upstream = new FrameCollector("Tester::Upstream", FrameDirection.Upstream);
        var downstream = new FrameCollector("Tester::Downstream", FrameDirection.Downstream);
        var pipeline = new FramePipeline([upstream, processor, downstream], "Tester");
        var task = new PipelineTask(pipeline, options.TaskOptions, options.LoggerFactory, options.TimeProvider);

        await task.QueueFramesAsync(frames, cancellationToken).ConfigureAwait(false);
        if (frames.Length == 0 || frames[^1] is not (EndFrame or StopFrame or CancelFrame))
        {
            await task.QueueFrameAsync(new EndFrame(), cancellationToken).ConfigureAwait(false);
        }

        PipelineFinishReason reason;
        ErrorFrame? fatal = null;
        try
        {
            reason = await task.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineException ex) when (!options.ThrowOnFatalError)
        {
            reason = PipelineFinishReason.Failed;
            fatal = ex.Error;
        }

        return new FrameProcessorTestResult(
            Filter(downstream.Frames, options),
            Filter(upstream.Frames, options),
            reason,
            fatal,
            task.RunningTaskCount);
    }

    private static List<Frame> Filter(IEnumerable<Frame> frames, FrameProcessorTesterOptions options) =>
        frames.Where(f => !options.IgnoreLifecycleFrames || f is not (StartFrame or EndFrame or StopFrame or CancelFrame)).ToList();

    /// <summary>Records every frame that passes it in one direction, then passes it on.</summary>
    private sealed class FrameCollector(string name, FrameDirection recorded) : FrameProcessor(name)
    {
        private readonly ConcurrentQueue<Frame> _frames = new();

        public IEnumerable<Frame> Frames => _frames;

        protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (direction == recorded)
            {
                // Recorded frames outlive the run: a pooled one keeps a reference for the result (its memory then goes
                // to the garbage collector instead of back to its pool).
                frame.Retain();
                _frames.Enqueue(frame);
            }

            return PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
