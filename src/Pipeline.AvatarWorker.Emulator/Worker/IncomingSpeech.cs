using Pipeline.Core.Audio;
using Pipeline.HeyGen.Emulator.Media;

namespace Pipeline.AvatarWorker.Emulator.Worker;

/// <summary>
/// One accepted audio stream on its way to the avatar: converts the agent's PCM16 (any rate, any channel count, chunks
/// that may split a sample frame) to the avatar's 24 kHz mono, and remembers how much arrived and where it started
/// playing, so the playback reports can say how much of it was played.
/// </summary>
internal sealed class IncomingSpeech : IDisposable
{
    private readonly int _frameBytes;
    private readonly StreamingResampler? _resampler;
    private readonly byte[] _carry;
    private int _carried;
    private long _bytes;
    private long _startedTicks = -1;
    private int _finished;

    public IncomingSpeech(AudioStreamRecord record, int sampleRate, int channels)
    {
        Record = record;
        SampleRate = sampleRate;
        Channels = channels;
        _frameBytes = channels * PcmFormat.BytesPerSample;
        _carry = new byte[_frameBytes];
        _resampler = sampleRate == EmulatedAvatarOptions.SpeechSampleRate ? null : new StreamingResampler(sampleRate, EmulatedAvatarOptions.SpeechSampleRate);
    }

    public AudioStreamRecord Record { get; }

    public string StreamId => Record.StreamId;

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Whether it was cleared (guarded by the playback's lock).</summary>
    public bool Cleared { get; set; }

    /// <summary>Whether the avatar was given any of its audio (guarded by the playback's lock).</summary>
    public bool Placed { get; set; }

    /// <summary>Whether its end (played out or cut) has been reported.</summary>
    public bool Finished => Volatile.Read(ref _finished) != 0;

    /// <summary>Seconds of audio received so far.</summary>
    public double SecondsReceived => (double)Interlocked.Read(ref _bytes) / (SampleRate * _frameBytes);

    /// <summary>Where it started playing on the avatar's clock, once it has.</summary>
    public TimeSpan? StartedAt => Interlocked.Read(ref _startedTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;

    public void MarkStarted(TimeSpan at) => Interlocked.CompareExchange(ref _startedTicks, at.Ticks, -1);

    /// <summary>Marks its end reported; false when it already was.</summary>
    public bool TryFinish() => Interlocked.Exchange(ref _finished, 1) == 0;

    /// <summary>Converts one chunk to 24 kHz mono (whole samples; a split sample frame waits for the next chunk).</summary>
    public byte[] Convert(ReadOnlySpan<byte> chunk)
    {
        Interlocked.Add(ref _bytes, chunk.Length);
        var frames = new byte[((_carried + chunk.Length) / _frameBytes) * _frameBytes];
        int filled = 0;
        if (_carried > 0)
        {
            int take = Math.Min(_frameBytes - _carried, chunk.Length);
            chunk[..take].CopyTo(_carry.AsSpan(_carried));
            _carried += take;
            chunk = chunk[take..];
            if (_carried < _frameBytes)
            {
                return [];
            }

            _carry.CopyTo(frames, 0);
            filled = _frameBytes;
            _carried = 0;
        }

        int whole = chunk.Length / _frameBytes * _frameBytes;
        chunk[..whole].CopyTo(frames.AsSpan(filled));
        filled += whole;
        chunk[whole..].CopyTo(_carry);
        _carried = chunk.Length - whole;
        return ToAvatarRate(frames.AsSpan(0, filled));
    }

    /// <summary>What the resampler still holds, at the end of the stream.</summary>
    public byte[] Flush()
    {
        if (_resampler is null)
        {
            return [];
        }

        var tail = new byte[_resampler.MaxFlushBytes + 256];
        int n = _resampler.Flush(tail);
        return tail.AsSpan(0, n).ToArray();
    }

    public void Dispose() => _resampler?.Dispose();

    private byte[] ToAvatarRate(ReadOnlySpan<byte> frames)
    {
        if (frames.IsEmpty)
        {
            return [];
        }

        ReadOnlySpan<byte> mono = frames;
        if (Channels > 1)
        {
            var mixed = new byte[frames.Length / Channels];
            int n = Pcm16.MixToMono(frames, Channels, mixed);
            mono = mixed.AsSpan(0, n);
        }

        return _resampler is null ? mono.ToArray() : _resampler.Resample(mono);
    }
}
