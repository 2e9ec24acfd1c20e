using System.Runtime.CompilerServices;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;

namespace Pipeline.Benchmarks.HeyGen;

/// <summary>
/// The avatar's output path: a 1280x720 frame handed over by the media session, turned into an OutputImageRawFrame by
/// HeyGenVideoService and pushed to the next processor. One operation = one frame; the frame source is a synthetic
/// room that delivers as fast as the service reads, so the figure is the service's own per-frame cost (1 / mean =
/// frames per second one core can carry; divide by 30 for 720p30 streams). The room copies each frame once, as the
/// LiveKit room copies a native frame: into a pooled <see cref="FrameBuffer"/> that the service passes on without a
/// copy (<see cref="RoomDelivery.Pooled"/>, what the emulator and LiveKit rooms do), or it hands over plain memory
/// that the service copies into a pooled buffer (<see cref="RoomDelivery.PlainMemory"/>, a third-party room).
/// </summary>
[MemoryDiagnoser]
public class VideoHopBenchmarks
{
    private const int Width = 1280;
    private const int Height = 720;
    private const int FramesPerBatch = 120;
    private AvatarBenchmarkHost _host = null!;
    private SyntheticRoom _room = null!;
    private long _target;

    /// <summary>How the room hands a frame to the service.</summary>
    public enum RoomDelivery
    {
        /// <summary>Memory the room keeps (the service copies it into a pooled buffer).</summary>
        PlainMemory,

        /// <summary>A pooled frame buffer the room filled (the service passes it on).</summary>
        Pooled,
    }

    [Params(RoomDelivery.PlainMemory, RoomDelivery.Pooled)]
    public RoomDelivery Delivery { get; set; }

    [Params(PixelFormat.Rgb24, PixelFormat.I420)]
    public PixelFormat Format { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _room = new SyntheticRoom(Width, Height, Format, Delivery == RoomDelivery.Pooled);
        _host = AvatarBenchmarkHost.StartAsync(_room, Format).GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = FramesPerBatch)]
    public async Task Frame720pToOutputImageRawFrame()
    {
        _target += FramesPerBatch;
        Task reached = _host.Sink.WhenImagesReach(_target);
        await _room.ReleaseAsync(FramesPerBatch);
        await reached;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Console.WriteLine($"// {Delivery} {Format}: {FrameBufferPool.Shared}");
    }

    /// <summary>A room whose avatar publishes the same 720p frame whenever the benchmark releases frames.</summary>
    private sealed class SyntheticRoom(int width, int height, PixelFormat format, bool pooled) : IAvatarMediaConnector, IAvatarMediaSession
    {
        private readonly byte[] _pixels = new byte[PixelFormats.BufferSize(format, width, height)];
        private FrameBufferPool _pool = FrameBufferPool.Shared;
        private readonly Channel<int> _release = Channel.CreateUnbounded<int>();
        private long _index;

        public event EventHandler<AvatarParticipantEventArgs>? ParticipantJoined;

        public event EventHandler<AvatarParticipantEventArgs>? ParticipantLeft;

        public bool AvatarPresent => true;

        public ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken)
        {
            _pool = request.FramePool;
            ParticipantJoined?.Invoke(this, new AvatarParticipantEventArgs("heygen", true));
            return ValueTask.FromResult<IAvatarMediaSession>(this);
        }

        public ValueTask ReleaseAsync(int frames) => _release.Writer.WriteAsync(frames);

        public async IAsyncEnumerable<RemoteVideoBuffer> ReadVideoAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (int frames in _release.Reader.ReadAllAsync(cancellationToken))
            {
                for (int i = 0; i < frames; i++)
                {
                    var timestamp = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 30 * _index++);
                    yield return pooled
                        ? new RemoteVideoBuffer(_pool.RentCopy(_pixels), width, height, format, timestamp)
                        : new RemoteVideoBuffer(_pixels, width, height, format, timestamp);
                }
            }
        }

        public async IAsyncEnumerable<RemoteAudioBuffer> ReadAudioAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            yield break;
        }

        public ValueTask DisposeAsync()
        {
            _release.Writer.TryComplete();
            ParticipantLeft?.Invoke(this, new AvatarParticipantEventArgs("heygen", true));
            return default;
        }
    }
}
