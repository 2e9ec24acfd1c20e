using Pipeline.Core.Audio;

namespace Pipeline.LiveKit;

/// <summary>
/// Brings mono output audio at another rate to the published track's rate, into a buffer it owns and reuses (the
/// engine copies the samples during the capture request, so the buffer is free again once that returns).
/// </summary>
internal sealed class OutputAudioResampler : IDisposable
{
    private readonly int _outputRate;
    private StreamingResampler? _resampler;
    private byte[] _buffer = [];

    public OutputAudioResampler(int outputRate) => _outputRate = outputRate;

    /// <summary>The audio at the track's rate; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Resample(ReadOnlyMemory<byte> mono, int sampleRate)
    {
        if (_resampler is null || _resampler.InputRate != sampleRate)
        {
            _resampler?.Dispose();
            _resampler = new StreamingResampler(sampleRate, _outputRate);
        }

        int needed = _resampler.MaxOutputBytes(mono.Length);
        if (_buffer.Length < needed)
        {
            _buffer = new byte[Math.Max(needed, _buffer.Length * 2)];
        }

        int written = _resampler.Resample(mono.Span, _buffer);
        return _buffer.AsMemory(0, written);
    }

    /// <summary>Forgets the filter state (an interruption: the next audio is a new stream).</summary>
    public void Reset() => _resampler?.Reset();

    public void Dispose() => _resampler?.Dispose();
}
