using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;

namespace Pipeline.AvatarProviders.Tests.Drivers;

/// <summary>
/// A running pipeline of one <c>AvatarVideoService</c>, whatever the provider behind it: the behaviour suite drives
/// every provider through this and nothing else, so the same frames go in and the same outcomes are asked of each.
/// </summary>
internal abstract class ProviderDriver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Frame> _atEnd = new();
    private readonly ConcurrentQueue<ErrorFrame> _errors = new();

    protected ProviderDriver(PipelineTask task)
    {
        Task = task;
        task.FrameReachedEnd += (_, f) => _atEnd.Enqueue(f);
        task.ErrorReceived += (_, e) => _errors.Enqueue(e);
        Running = task.RunAsync();
    }

    public PipelineTask Task { get; }

    public Task<PipelineFinishReason> Running { get; }

    public IReadOnlyList<Frame> AtEnd => [.. _atEnd];

    public IReadOnlyList<ErrorFrame> Errors => [.. _errors];

    /// <summary>Provider sessions opened (the emulator's count: billing started).</summary>
    public abstract int Opened { get; }

    /// <summary>Provider sessions ended (the emulator's count: billing stopped).</summary>
    public abstract int Closed { get; }

    /// <summary>Whether the avatar's video comes down the pipeline (relay) rather than going straight to a room.</summary>
    public abstract bool MediaThroughPipeline { get; }

    /// <summary>Whether the provider has a listening pose.</summary>
    public abstract bool SupportsListening { get; }

    /// <summary>How often the provider was told to start its listening pose.</summary>
    public abstract int ListeningStarts { get; }

    /// <summary>How often the provider was told to stop talking (HeyGen's interrupt; the worker's <c>lk.clear_buffer</c>).</summary>
    public abstract int StopRequests { get; }

    /// <summary>
    /// Lets the provider's time pass until <paramref name="condition"/> holds; <paramref name="within"/> is how much of
    /// the provider's time that may take (a fake clock moves it; a real-time provider adds slack for a loaded machine).
    /// </summary>
    public abstract Task UntilAsync(Func<bool> condition, string what, TimeSpan within);

    public ValueTask QueueAsync(params Frame[] frames) => Task.QueueFramesAsync(frames);

    public async ValueTask DisposeAsync()
    {
        if (!Running.IsCompleted)
        {
            Task.Cancel();
            await UntilAsync(() => Running.IsCompleted, "the run ending", TimeSpan.FromSeconds(60));
        }

        await Task.DisposeAsync();
        await DisposeProviderAsync();
    }

    /// <summary>Stops what the provider's side runs (emulators, rooms), after the pipeline was disposed.</summary>
    protected abstract ValueTask DisposeProviderAsync();
}
