using BenchmarkDotNet.Attributes;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;

namespace Pipeline.Benchmarks.Core;

/// <summary>
/// Frames per second through a running pipeline of pass-through processors, and what each frame allocates inside
/// the framework. One operation = one frame through every processor (a batch of <see cref="BatchSize"/> frames is
/// pushed and awaited at the end of the pipeline per invocation). Frames are created once, so the allocation column
/// shows the framework's own cost per frame.
/// </summary>
[MemoryDiagnoser]
public class PipelineThroughputBenchmarks
{
    private const int BatchSize = 10_000;
    private Frame[] _frames = null!;
    private PipelineTask _task = null!;
    private Task _running = null!;
    private Marker _lastMarker = null!;
    private TaskCompletionSource _batchDone = null!;

    [Params(10)]
    public int Processors { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frames = Enumerable.Range(0, BatchSize - 1).Select(_ => (Frame)new TextFrame("x")).ToArray();
        var pipeline = new FramePipeline(Enumerable.Range(0, Processors).Select(_ => (FrameProcessor)new PassThrough()), "bench");
        _task = new PipelineTask(pipeline);
        _task.FrameReachedEnd += (_, frame) =>
        {
            if (ReferenceEquals(frame, _lastMarker))
            {
                _batchDone.TrySetResult();
            }
        };
        _running = _task.RunAsync();
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public async Task FramesThroughPipeline()
    {
        _batchDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastMarker = new Marker();
        foreach (Frame frame in _frames)
        {
            await _task.QueueFrameAsync(frame);
        }

        await _task.QueueFrameAsync(_lastMarker);
        await _batchDone.Task;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _task.QueueFrameAsync(new EndFrame()).AsTask().GetAwaiter().GetResult();
        _running.GetAwaiter().GetResult();
    }

    private sealed class PassThrough : FrameProcessor;

    private sealed class Marker : DataFrame;
}
