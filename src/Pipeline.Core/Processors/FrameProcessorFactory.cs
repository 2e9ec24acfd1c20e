namespace Pipeline.Core.Processors;

/// <summary>
/// Creates a new <typeparamref name="TProcessor"/> for each pipeline: the dependency-injection shape of a processor
/// (the packages' <c>Add...</c> methods register one as a singleton). What it creates is the caller's: the
/// <c>PipelineTask</c> that runs it disposes it with its pipeline. A processor is asynchronously disposable only, so it
/// is never a container transient: the container would keep every one alive until it is itself disposed, and a
/// synchronous <c>Dispose()</c> of the container would throw.
/// </summary>
/// <typeparam name="TProcessor">The processor type.</typeparam>
public sealed class FrameProcessorFactory<TProcessor>
    where TProcessor : FrameProcessor
{
    private readonly Func<TProcessor> _create;

    /// <summary>Creates the factory.</summary>
    /// <param name="create">Builds one processor (called once per <see cref="Create"/>).</param>
    public FrameProcessorFactory(Func<TProcessor> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        _create = create;
    }

    /// <summary>Creates a processor for one pipeline.</summary>
    /// <returns>A new processor, tracked by no container.</returns>
    public TProcessor Create() => _create();
}
