using System.Runtime.CompilerServices;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;

namespace Pipeline.Benchmarks.HeyGen;

/// <summary>
/// The avatar's output path: a 1280x720 RGB24 frame handed over by the media session, copied once into an
/// OutputImageRawFrame by HeyGenVideoService and pushed to the next processor. One operation = one frame; the
/// frame source is a synthetic room that delivers as fast as the service reads, so the figure is the service's
/// own per-frame cost (1 / mean = frames per second one core can carry; divide by 30 for 720p30 streams).
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

    [GlobalSetup]
    public void Setup()
    {
        _room = new SyntheticRoom(Width, Height);
        _host = AvatarBenchmarkHost.StartAsync(_room).GetAwaiter().GetResult();
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
    public void Cleanup() => _host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A room whose avatar publishes the same 720p frame whenever the benchmark releases frames.</summary>
    private sealed class SyntheticRoom(int width, int height) : IAvatarMediaConnector, IAvatarMediaSession
    {
        private readonly byte[] _pixels = new byte[width * height * 3];
        private readonly Channel<int> _release = Channel.CreateUnbounded<int>();
        private long _index;

        public event EventHandler<AvatarParticipantEventArgs>? ParticipantJoined;

        public event EventHandler<AvatarParticipantEventArgs>? ParticipantLeft;

        public bool AvatarPresent => true;

        public ValueTask<IAvatarMediaSession> ConnectAsync(AvatarMediaConnectRequest request, CancellationToken cancellationToken)
        {
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
                    yield return new RemoteVideoBuffer(_pixels, width, height, PixelFormat.Rgb24, TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 30 * _index++));
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
