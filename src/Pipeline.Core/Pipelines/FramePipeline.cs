using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.Core.Pipelines;

/// <summary>
/// An ordered list of processors that is itself a processor, so pipelines nest:
/// <c>new FramePipeline(input, stt, llm, tts, avatar, output)</c>.
/// </summary>
/// <remarks>
/// Frames entering the pipeline downstream go to its first processor; frames leaving its last processor downstream
/// go on to the pipeline's next processor (and the mirror image upstream). The pipeline queues nothing itself.
/// </remarks>
public class FramePipeline : FrameProcessor
{
    private readonly FrameProcessor[] _processors;
    private readonly PipelineEdge _source;
    private readonly PipelineEdge _sink;

    /// <summary>Creates a pipeline of <paramref name="processors"/>, linked in order.</summary>
    public FramePipeline(params FrameProcessor[] processors)
        : this(processors, name: null)
    {
    }

    /// <summary>Creates a named pipeline of <paramref name="processors"/>, linked in order.</summary>
    /// <exception cref="InvalidOperationException">A processor is already in another pipeline, or has already run.</exception>
    public FramePipeline(IEnumerable<FrameProcessor> processors, string? name)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(processors);
        _processors = processors.ToArray();
        if (_processors.Any(p => p is null))
        {
            throw new ArgumentException("A pipeline cannot contain null processors.", nameof(processors));
        }

        if (_processors.Distinct().Count() != _processors.Length)
        {
            throw new ArgumentException("A processor can appear only once in a pipeline.", nameof(processors));
        }

        // Checked before linking any, so a refused pipeline leaves the processors as they were.
        foreach (FrameProcessor processor in _processors)
        {
            processor.ThrowIfNotFreeToLink();
        }

        _source = new PipelineEdge($"{Name}::Source", this, FrameDirection.Upstream);
        _sink = new PipelineEdge($"{Name}::Sink", this, FrameDirection.Downstream);
        FrameProcessor previous = _source;
        foreach (FrameProcessor processor in _processors)
        {
            previous = previous.Link(processor);
        }

        previous.Link(_sink);
    }

    /// <summary>The processors, in order.</summary>
    public IReadOnlyList<FrameProcessor> Processors => _processors;

    /// <inheritdoc />
    protected override bool UsesQueues => false;

    /// <summary>Every processor inside this pipeline, depth first (nested pipelines included).</summary>
    public IEnumerable<FrameProcessor> Descendants()
    {
        foreach (FrameProcessor processor in _processors)
        {
            yield return processor;
            if (processor is FramePipeline nested)
            {
                foreach (FrameProcessor inner in nested.Descendants())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <inheritdoc />
    public override async Task SetupAsync(FrameProcessorSetup setup, CancellationToken cancellationToken = default)
    {
        await base.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
        await _source.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
        await _sink.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
        foreach (FrameProcessor processor in _processors)
        {
            await processor.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override ValueTask QueueFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return direction == FrameDirection.Downstream
            ? _source.Forward(frame, direction, cancellationToken)
            : _sink.Forward(frame, direction, cancellationToken);
    }

    /// <inheritdoc />
    protected override async ValueTask CleanupAsync()
    {
        foreach (FrameProcessor processor in _processors)
        {
            await processor.DisposeAsync().ConfigureAwait(false);
        }

        await _source.DisposeAsync().ConfigureAwait(false);
        await _sink.DisposeAsync().ConfigureAwait(false);
    }

    internal ValueTask ForwardOutAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken) =>
        PushFrameAsync(frame, direction, cancellationToken);

    /// <summary>
    /// The pipeline's two ends. Frames entering the pipeline pass straight through to the first (or last) inner
    /// processor; frames reaching an end from inside are pushed out by the pipeline itself.
    /// </summary>
    private sealed class PipelineEdge(string name, FramePipeline owner, FrameDirection outward) : FrameProcessor(name)
    {
        protected override bool UsesQueues => false;

        public ValueTask Forward(Frame frame, FrameDirection direction, CancellationToken cancellationToken) =>
            PushFrameAsync(frame, direction, cancellationToken);

        public override ValueTask QueueFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken = default) =>
            direction == outward
                ? owner.ForwardOutAsync(frame, direction, cancellationToken)
                : PushFrameAsync(frame, direction, cancellationToken);
    }
}
