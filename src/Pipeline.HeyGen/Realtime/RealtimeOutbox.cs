using System.Threading.Channels;
using Pipeline.Core.Audio;
using Pipeline.HeyGen.Realtime.Protocol;

namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// Everything the client sends, in one bounded queue the connection's send loop drains in order: control events, and
/// utterance audio cut into <c>agent.speak</c> messages by the utterance's own chunker and paced by its pacer. A full
/// queue makes senders wait (backpressure). Once completed, queued messages are released and senders get the
/// client's terminal error.
/// </summary>
internal sealed class RealtimeOutbox : IDisposable
{
    private readonly RealtimeMessageWriter _writer = new();
    private readonly Channel<OutboundMessage> _queue;
    private readonly HeyGenRealtimeOptions _options;
    private readonly TimeProvider _time;
    private readonly Action _throwIfUnusable;

    public RealtimeOutbox(HeyGenRealtimeOptions options, TimeProvider time, Action throwIfUnusable)
    {
        _options = options;
        _time = time;
        _throwIfUnusable = throwIfUnusable;
        _queue = Channel.CreateBounded<OutboundMessage>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ChannelReader<OutboundMessage> Reader => _queue.Reader;

    /// <summary>A new utterance whose chunks fit a message: the first of <paramref name="firstChunk"/>, then
    /// <see cref="HeyGenRealtimeOptions.SpeakChunkDuration"/> each.</summary>
    public Utterance NewUtterance(string id, TimeSpan? firstChunk)
    {
        var maxChunk = Math.Min(
            PcmFormat.BytesFor(_options.SpeakChunkDuration, HeyGenRealtimeClient.SampleRate),
            RealtimeMessageWriter.MaxAudioBytesPerMessage(_options.MaxMessageBytes, id.Length));
        if (maxChunk < PcmFormat.BytesPerSample)
            throw new ArgumentException("The utterance id is too long to fit a message.", nameof(id));
        var first = Math.Min(maxChunk, PcmFormat.BytesFor(firstChunk ?? _options.SpeakChunkDuration, HeyGenRealtimeClient.SampleRate));
        return new Utterance(id, new UtterancePacer(_time, _options.UnpacedBurst, _options.PaceToRealTime), new AgentSpeakChunker(first, maxChunk));
    }

    /// <summary>Buffers audio into the utterance and queues every full chunk (all of it when <paramref name="flush"/>).</summary>
    public async Task SpeakAsync(Utterance utterance, ReadOnlyMemory<byte> pcm, bool flush, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, utterance.DiscardedToken);
        await utterance.SendLock.WaitAsync(stop.Token).ConfigureAwait(false);
        try
        {
            utterance.Chunker.Append(pcm.Span);
            while (utterance.Chunker.TryTakeChunk(out var chunk) || (flush && (chunk = utterance.Chunker.TakeRemainder()).Length > 0))
            {
                var duration = PcmFormat.DurationOf(chunk.Length, HeyGenRealtimeClient.SampleRate);
                var delay = utterance.Pacer.DelayBefore(duration);
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, stop.Token).ConfigureAwait(false);
                await EnqueueAsync(_writer.WriteSpeak(utterance.Id, chunk, utterance), stop.Token).ConfigureAwait(false);
                utterance.Pacer.OnSent(duration);
                Interlocked.Add(ref utterance.BytesSubmitted, chunk.Length);
            }
        }
        finally
        {
            utterance.SendLock.Release();
        }
    }

    /// <summary>Queues a control event (its <c>event_id</c> is <paramref name="eventId"/>, or fresh when null).</summary>
    public ValueTask SendControlAsync(string type, string? eventId, CancellationToken cancellationToken, Utterance? utterance = null) =>
        EnqueueAsync(_writer.WriteControl(type, eventId, utterance), cancellationToken);

    /// <summary>Ends the queue: later sends fail with <paramref name="reason"/>, queued messages are released.</summary>
    public void Complete(Exception reason)
    {
        _queue.Writer.TryComplete(reason);
        while (_queue.Reader.TryRead(out var message)) message.Release();
    }

    public void Dispose() => _writer.Dispose();

    private async ValueTask EnqueueAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            message.Release();
            _throwIfUnusable();
            throw;
        }
        catch
        {
            message.Release();
            throw;
        }
    }
}
