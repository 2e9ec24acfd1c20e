using System.Runtime.InteropServices;
using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>A source of locally produced audio, for a <see cref="LocalAudioTrack"/>. Paced by the engine in real time.</summary>
public sealed class AudioSource : IDisposable
{
    private readonly FfiHandle _handle;
    private readonly FfiRequest _request;

    /// <summary>Creates a source.</summary>
    /// <param name="sampleRate">Sample rate of the captured PCM, in Hz.</param>
    /// <param name="channels">Channel count of the captured PCM.</param>
    /// <param name="queueMilliseconds">Audio the engine queues before <see cref="CaptureAsync(ReadOnlyMemory{short}, CancellationToken)"/> waits for real time, in milliseconds.</param>
    public AudioSource(int sampleRate, int channels, int queueMilliseconds = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        FfiResponse response = FfiClient.Instance.Request(new FfiRequest
        {
            NewAudioSource = new NewAudioSourceRequest
            {
                Type = AudioSourceType.AudioSourceNative,
                SampleRate = (uint)sampleRate,
                NumChannels = (uint)channels,
                QueueSizeMs = (uint)queueMilliseconds,
            },
        });
        _handle = FfiHandle.Own(response.NewAudioSource.Source.Handle);
        SampleRate = sampleRate;
        Channels = channels;
        _request = new FfiRequest
        {
            CaptureAudioFrame = new CaptureAudioFrameRequest
            {
                SourceHandle = _handle.Id,
                Buffer = new AudioFrameBufferInfo { NumChannels = (uint)channels, SampleRate = (uint)sampleRate },
            },
        };
    }

    /// <summary>Sample rate, in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Channel count.</summary>
    public int Channels { get; }

    internal ulong HandleId
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.Id;
        }
    }

    /// <summary>Queues interleaved 16-bit little-endian PCM; completes when the engine has taken it (at real time once its queue is full).</summary>
    /// <param name="pcm">Whole sample frames (<see cref="Channels"/> × 2 bytes each), read in place: the engine copies them before this returns its task.</param>
    /// <param name="cancellationToken">Stops waiting (the samples are already queued).</param>
    public Task CaptureAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken = default)
    {
        int bytesPerFrame = Channels * sizeof(short);
        if (pcm.Length == 0 || pcm.Length % bytesPerFrame != 0)
        {
            throw new ArgumentException($"PCM must be a whole number of {bytesPerFrame}-byte sample frames.", nameof(pcm));
        }

        return WaitAsync(Send(pcm.Span, pcm.Length / bytesPerFrame), cancellationToken);
    }

    /// <summary>Queues interleaved 16-bit samples; completes when the engine has taken them (at real time once its queue is full).</summary>
    /// <param name="samples">Whole sample frames (<see cref="Channels"/> samples each), read in place: the engine copies them before this returns its task.</param>
    /// <param name="cancellationToken">Stops waiting (the samples are already queued).</param>
    public Task CaptureAsync(ReadOnlyMemory<short> samples, CancellationToken cancellationToken = default)
    {
        if (samples.Length == 0 || samples.Length % Channels != 0)
        {
            throw new ArgumentException($"Samples must be a whole number of {Channels}-sample frames.", nameof(samples));
        }

        return WaitAsync(Send(MemoryMarshal.AsBytes(samples.Span), samples.Length / Channels), cancellationToken);
    }

    private static async Task WaitAsync(ulong asyncId, CancellationToken cancellationToken)
    {
        FfiEvent done = await FfiClient.Instance.WaitForCallbackAsync(asyncId, cancellationToken).ConfigureAwait(false);
        if (done.CaptureAudioFrame.HasError)
        {
            throw new LiveKitException($"The engine could not capture audio: {done.CaptureAudioFrame.Error}");
        }
    }

    private unsafe ulong Send(ReadOnlySpan<byte> pcm, int samplesPerChannel)
    {
        // The engine copies the samples inside the request, so they are pinned for the call only; the request object
        // is reused (under the lock) so the per-block path builds no protobuf messages.
        fixed (byte* data = pcm)
        {
            lock (_request)
            {
                bool added = false;
                _handle.DangerousAddRef(ref added);
                try
                {
                    AudioFrameBufferInfo buffer = _request.CaptureAudioFrame.Buffer;
                    buffer.DataPtr = (ulong)data;
                    buffer.SamplesPerChannel = (uint)samplesPerChannel;
                    return FfiClient.Instance.Send(_request, FfiResponse.CaptureAudioFrameFieldNumber);
                }
                finally
                {
                    if (added)
                    {
                        _handle.DangerousRelease();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Drops the audio queued in the engine that has not been sent yet (up to the queue size given at creation):
    /// what an interruption needs so the bot falls silent at once.
    /// </summary>
    public void ClearBuffer() =>
        FfiClient.Instance.Request(new FfiRequest { ClearAudioBuffer = new ClearAudioBufferRequest { SourceHandle = HandleId } });

    /// <summary>Releases the source, dropping the audio still queued in the engine first.</summary>
    public void Dispose()
    {
        if (_handle.IsClosed)
        {
            return;
        }

        // Dropping a source whose engine queue still holds audio (captures still pending) corrupted the native heap:
        // in a loop of 20 sources each disposed with seconds queued, 6 of 18 processes died (malloc: "unsorted double
        // linked list corrupted" / SIGSEGV); clearing the queue first, 0 of 36. Best effort: the handle goes either way.
        try
        {
            ClearBuffer();
        }
        catch (Exception ex) when (ex is LiveKitException or ObjectDisposedException)
        {
            // Already released or the engine is shutting down: nothing queued is left to drop.
        }

        _handle.Dispose();
    }
}
