using Pipeline.LiveKit.Native;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>A source of locally produced audio, for a <see cref="LocalAudioTrack"/>. Paced by the engine in real time.</summary>
public sealed class AudioSource : IDisposable
{
    private readonly FfiHandle _handle;

    /// <summary>Creates a source.</summary>
    /// <param name="sampleRate">Sample rate of the captured PCM, in Hz.</param>
    /// <param name="channels">Channel count of the captured PCM.</param>
    /// <param name="queueMilliseconds">Audio the engine queues before <see cref="CaptureAsync"/> waits for real time, in milliseconds.</param>
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

    /// <summary>Queues interleaved 16-bit PCM; completes when the engine has taken it (at real time once its queue is full).</summary>
    public async Task CaptureAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken = default)
    {
        int bytesPerFrame = Channels * sizeof(short);
        if (pcm.Length == 0 || pcm.Length % bytesPerFrame != 0)
        {
            throw new ArgumentException($"PCM must be a whole number of {bytesPerFrame}-byte sample frames.", nameof(pcm));
        }

        FfiClient client = FfiClient.Instance;
        ulong asyncId = Send(client, pcm.Span, pcm.Length / bytesPerFrame);
        FfiEvent done = await client.WaitForCallbackAsync(asyncId, cancellationToken).ConfigureAwait(false);
        if (done.CaptureAudioFrame.HasError)
        {
            throw new LiveKitException($"The engine could not capture audio: {done.CaptureAudioFrame.Error}");
        }
    }

    private unsafe ulong Send(FfiClient client, ReadOnlySpan<byte> pcm, int samplesPerChannel)
    {
        // The engine copies the samples inside the request, so they are pinned for the call only.
        fixed (byte* data = pcm)
        {
            FfiResponse response = client.Request(new FfiRequest
            {
                CaptureAudioFrame = new CaptureAudioFrameRequest
                {
                    SourceHandle = HandleId,
                    Buffer = new AudioFrameBufferInfo
                    {
                        DataPtr = (ulong)data,
                        NumChannels = (uint)Channels,
                        SampleRate = (uint)SampleRate,
                        SamplesPerChannel = (uint)samplesPerChannel,
                    },
                },
            });
            return response.CaptureAudioFrame.AsyncId;
        }
    }

    /// <summary>
    /// Drops the audio queued in the engine that has not been sent yet (up to the queue size given at creation):
    /// what an interruption needs so the bot falls silent at once.
    /// </summary>
    public void ClearBuffer() =>
        FfiClient.Instance.Request(new FfiRequest { ClearAudioBuffer = new ClearAudioBufferRequest { SourceHandle = HandleId } });

    /// <summary>Releases the source.</summary>
    public void Dispose() => _handle.Dispose();
}
