using System.Collections.Concurrent;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Pipelines;
using Pipeline.Core.Processors;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Video;

namespace Pipeline.Benchmarks.HeyGen;

/// <summary>
/// A running pipeline [HeyGenVideoService → counting sink] against the in-process emulator, for the avatar
/// benchmarks. Pacing is off so the wire path runs at full speed.
/// </summary>
internal sealed class AvatarBenchmarkHost : IAsyncDisposable
{
    private readonly HeyGenEmulator _emulator;
    private readonly HeyGenApi _api;
    private readonly Task _running;

    private AvatarBenchmarkHost(HeyGenEmulator emulator, HeyGenApi api, HeyGenVideoService service, PipelineTask task, CountingSink sink)
    {
        _emulator = emulator;
        _api = api;
        Service = service;
        Task = task;
        Sink = sink;
        _running = task.RunAsync();
    }

    public HeyGenVideoService Service { get; }

    public PipelineTask Task { get; }

    public CountingSink Sink { get; }

    public HeyGenEmulator Emulator => _emulator;

    public static async Task<AvatarBenchmarkHost> StartAsync(IAvatarMediaConnector? connector = null, PixelFormat videoFormat = PixelFormat.Rgb24)
    {
        HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        var service = new HeyGenVideoService(api, connector ?? emulator.MediaConnector, new HeyGenVideoServiceOptions
        {
            Realtime = { PaceToRealTime = false },
            EndDrainTimeout = TimeSpan.Zero,
            VideoFormat = videoFormat,
        });
        var sink = new CountingSink();
        var task = new PipelineTask(new FramePipeline(service, sink));
        var host = new AvatarBenchmarkHost(emulator, api, service, task, sink);
        await host.Task.QueueFrameAsync(new OutputTransportReadyFrame());
        while (service.SessionId is null || emulator.FindRealtime(service.SessionId) is null)
        {
            await System.Threading.Tasks.Task.Delay(5);
        }

        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.QueueFrameAsync(new EndFrame());
        await _running;
        _api.Dispose();
        await _emulator.DisposeAsync();
    }

    /// <summary>
    /// Counts what reaches the end of the pipeline and lets a benchmark wait for a number of frames. Its queue holds a
    /// few frames, as a live stream has a few in flight (the service's media pump waits for room).
    /// </summary>
    internal sealed class CountingSink() : FrameProcessor(options: new FrameProcessorOptions { QueueCapacity = 4 })
    {
        private readonly ConcurrentQueue<(Func<long, bool> Done, TaskCompletionSource Signal)> _waiters = new();
        private long _images;

        public long Images => Interlocked.Read(ref _images);

        public Task WhenImagesReach(long count)
        {
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue((n => n >= count, signal));
            if (Images >= count)
            {
                signal.TrySetResult();
            }

            return signal.Task;
        }

        protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is OutputImageRawFrame)
            {
                long n = Interlocked.Increment(ref _images);
                foreach (var (done, signal) in _waiters)
                {
                    if (done(n))
                    {
                        signal.TrySetResult();
                    }
                }
            }

            return PushFrameAsync(frame, direction, cancellationToken);
        }
    }
}
