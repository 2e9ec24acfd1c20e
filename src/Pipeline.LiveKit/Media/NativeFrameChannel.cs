using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Pipeline.LiveKit;

/// <summary>
/// The buffer between the engine's callback thread and a stream's reader. Bounded: when the reader falls behind, the
/// oldest frame is dropped (and its native memory released), so a slow consumer costs frames, never memory or the
/// callback thread's time.
/// </summary>
internal sealed class NativeFrameChannel<TFrame>
    where TFrame : class, IDisposable
{
    private readonly Channel<TFrame> _channel;
    private long _dropped;
    private long _received;

    public NativeFrameChannel(int capacity)
    {
        _channel = Channel.CreateBounded<TFrame>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = false, // the reader and a disposing thread may both take frames out
                SingleWriter = true,
                AllowSynchronousContinuations = false,
            },
            dropped =>
            {
                Interlocked.Increment(ref _dropped);
                dropped.Dispose();
            });
    }

    public ChannelReader<TFrame> Reader => _channel.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Offers a frame (callback thread). A frame that cannot be queued because the stream ended is released.</summary>
    public void Offer(TFrame frame)
    {
        Interlocked.Increment(ref _received);
        if (!_channel.Writer.TryWrite(frame))
        {
            frame.Dispose();
        }
    }

    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    /// <summary>Completes the channel and releases every frame nobody read.</summary>
    public void CompleteAndDrain()
    {
        _channel.Writer.TryComplete();
        while (_channel.Reader.TryRead(out TFrame? frame))
        {
            frame.Dispose();
        }
    }

    public async IAsyncEnumerable<TFrame> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_channel.Reader.TryRead(out TFrame? frame))
            {
                yield return frame;
            }
        }
    }
}
