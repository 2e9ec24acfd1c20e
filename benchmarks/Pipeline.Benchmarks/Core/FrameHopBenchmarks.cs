using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;

namespace Pipeline.Benchmarks.Core;

/// <summary>
/// The 720p frame hop of a relayed avatar stream, framework only: a producer's background task (the avatar service's
/// media pump) turns each source frame (memory it does not own, as a room's native frame) into an
/// <see cref="OutputImageRawFrame"/> and pushes it to the next processor, which reads it and passes it to the end of a
/// running pipeline. One operation = one frame. Both modes copy the pixels once; they differ only in where the copy
/// goes: <see cref="Hop.Copying"/> (the baseline: a new array per frame, as before pooled frames) or
/// <see cref="Hop.Pooled"/> (a <see cref="FrameBuffer"/> from a pool, returned by the end of the pipeline).
/// </summary>
[MemoryDiagnoser]
public class FrameHopBenchmarks
{
    private const int Width = 1280;
    private const int Height = 720;
    private const int FramesPerBatch = 120;
    private readonly FrameBufferPool _pool = new();
    private PipelineTask _task = null!;
    private Task _running = null!;
    private MediaPump _pump = null!;
    private ReadingSink _sink = null!;
    private long _target;

    /// <summary>Where the one copy of each frame goes.</summary>
    public enum Hop
    {
        /// <summary>A new array per frame (the large-object heap at 720p).</summary>
        Copying,

        /// <summary>A pooled, reference-counted frame buffer.</summary>
        Pooled,
    }

    [Params(Hop.Copying, Hop.Pooled)]
    public Hop Mode { get; set; }

    [Params(PixelFormat.Rgb24, PixelFormat.I420)]
    public PixelFormat Format { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] source = new byte[PixelFormats.BufferSize(Format, Width, Height)];
        Random.Shared.NextBytes(source);
        _pump = new MediaPump(source, Format, Mode == Hop.Pooled ? _pool : null);
        _sink = new ReadingSink();
        _task = new PipelineTask(new FramePipeline(_pump, _sink));
        _running = _task.RunAsync();
    }

    [Benchmark(OperationsPerInvoke = FramesPerBatch)]
    public async Task Frame720pHop()
    {
        _target += FramesPerBatch;
        Task reached = _sink.WhenReached(_target);
        _pump.Release(FramesPerBatch);
        await reached;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _task.QueueFrameAsync(new EndFrame()).AsTask().GetAwaiter().GetResult();
        _running.GetAwaiter().GetResult();
        if (_pool.Outstanding != 0)
        {
            throw new InvalidOperationException($"{_pool.Outstanding} pooled frame buffers were not returned: {_pool}");
        }

        Console.WriteLine($"// {Mode} {Format}: {_pool}");
    }

    /// <summary>Pushes frames from its own task when released, as an avatar service pumps a room's media.</summary>
    private sealed class MediaPump(byte[] source, PixelFormat format, FrameBufferPool? pool) : FrameProcessor("pump")
    {
        private readonly Channel<int> _batches = Channel.CreateUnbounded<int>();

        public void Release(int frames) => _batches.Writer.TryWrite(frames);

        protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is StartFrame)
            {
                _ = StartBackgroundTask("media", PumpAsync);
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }

        private async Task PumpAsync(CancellationToken cancellationToken)
        {
            await foreach (int frames in _batches.Reader.ReadAllAsync(cancellationToken))
            {
                for (int i = 0; i < frames; i++)
                {
                    await PushFrameAsync(NextFrame(), FrameDirection.Downstream, cancellationToken);
                }
            }
        }

        private OutputImageRawFrame NextFrame()
        {
            if (pool is null)
            {
                byte[] pixels = GC.AllocateUninitializedArray<byte>(source.Length); // every byte is overwritten
                source.CopyTo(pixels, 0);
                return new OutputImageRawFrame(pixels, Width, Height, format);
            }

            return new OutputImageRawFrame(pool.RentCopy(source), Width, Height, format);
        }
    }

    /// <summary>
    /// The next processor: reads each image (as an output transport would) and passes it on. Its queue holds a few
    /// frames, as a live stream has a few in flight: the pump waits for room rather than renting a burst of buffers.
    /// </summary>
    private sealed class ReadingSink() : FrameProcessor("next", new FrameProcessorOptions { QueueCapacity = 4 })
    {
        private long _frames;
        private long _target = long.MaxValue;
        private TaskCompletionSource? _reached;

        public Task WhenReached(long target)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _reached, reached);
            Volatile.Write(ref _target, target);
            if (Interlocked.Read(ref _frames) >= target)
            {
                reached.TrySetResult();
            }

            return reached.Task;
        }

        protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is ImageRawFrame image)
            {
                ReadOnlySpan<byte> pixels = image.Image.Span;
                if (pixels[0] == pixels[^1] && pixels.Length == 0)
                {
                    throw new InvalidOperationException("unreachable: keeps the read");
                }

                if (Interlocked.Increment(ref _frames) >= Volatile.Read(ref _target))
                {
                    Volatile.Read(ref _reached)?.TrySetResult();
                }
            }

            return PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
