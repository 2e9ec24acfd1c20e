using System.Buffers;
using Pipeline.Core.Audio;

namespace Pipeline.AI.Stt;

/// <summary>
/// Keeps the user's audio as mono 16-bit PCM at one rate: a rolling pre-roll while the user is silent, and the
/// utterance (pre-roll included) while the user speaks. Tracks where in the input stream each utterance began.
/// Used from the processor's data path only.
/// </summary>
internal sealed class UtteranceRecorder(int sampleRate, TimeSpan preRoll, TimeSpan maxUtterance) : IDisposable
{
    private readonly int _preRollBytes = PcmFormat.BytesFor(preRoll, sampleRate);
    private readonly int _maxBytes = PcmFormat.BytesFor(maxUtterance, sampleRate);
    private readonly Queue<byte[]> _preRoll = new();
    private int _preRollLength;
    private ArrayBufferWriter<byte>? _utterance;
    private StreamingResampler? _resampler;
    private long _streamBytes;
    private long _utteranceStartBytes;

    /// <summary>Whether an utterance is being recorded.</summary>
    public bool Recording => _utterance is not null;

    /// <summary>Bytes dropped from the current utterance because it exceeded the maximum.</summary>
    public long Overflow { get; private set; }

    /// <summary>Adds audio in any rate and channel count.</summary>
    public void Add(ReadOnlySpan<byte> audio, int rate, int channels)
    {
        ReadOnlySpan<byte> mono = audio;
        if (channels > 1)
        {
            byte[] mixed = new byte[audio.Length / channels];
            Pcm16.MixToMono(audio, channels, mixed);
            mono = mixed;
        }

        if (_resampler is null || _resampler.InputRate != rate)
        {
            _resampler?.Dispose();
            _resampler = new StreamingResampler(rate, sampleRate);
        }

        byte[] converted = rate == sampleRate ? mono.ToArray() : _resampler.Resample(mono);
        _streamBytes += converted.Length;
        if (_utterance is not null)
        {
            int room = _maxBytes - _utterance.WrittenCount;
            int take = Math.Min(room, converted.Length);
            _utterance.Write(converted.AsSpan(0, take));
            Overflow += converted.Length - take;
            return;
        }

        _preRoll.Enqueue(converted);
        _preRollLength += converted.Length;
        while (_preRoll.Count > 1 && _preRollLength - _preRoll.Peek().Length >= _preRollBytes)
        {
            _preRollLength -= _preRoll.Dequeue().Length;
        }
    }

    /// <summary>Starts an utterance with the pre-roll (no-op when one is running).</summary>
    public void Start()
    {
        if (_utterance is not null)
        {
            return;
        }

        _utterance = new ArrayBufferWriter<byte>();
        Overflow = 0;
        int skip = Math.Max(0, _preRollLength - _preRollBytes);
        skip -= skip % 2;
        foreach (byte[] chunk in _preRoll)
        {
            int from = Math.Min(skip, chunk.Length);
            skip -= from;
            _utterance.Write(chunk.AsSpan(from));
        }

        _utteranceStartBytes = _streamBytes - _utterance.WrittenCount;
        _preRoll.Clear();
        _preRollLength = 0;
    }

    /// <summary>Ends the utterance; returns its PCM and where it began in the input stream (null when none was running).</summary>
    public (byte[] Pcm, TimeSpan StreamOffset)? Stop()
    {
        if (_utterance is null)
        {
            return null;
        }

        byte[] pcm = _utterance.WrittenSpan.ToArray();
        _utterance = null;
        return (pcm, TimeSpan.FromTicks(_utteranceStartBytes / 2 * TimeSpan.TicksPerSecond / sampleRate));
    }

    public void Dispose() => _resampler?.Dispose();
}
