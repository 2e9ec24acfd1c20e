using Pipeline.Core.Audio;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Avatars;

/// <summary>
/// Turns TTS audio into what an avatar takes: mono 16-bit PCM at the session's rate, resampled with one
/// <see cref="StreamingResampler"/> kept across the frames of an utterance.
/// </summary>
/// <remarks>Thread-safe: audio arrives on the processing task while an interruption resets it from the system task.</remarks>
internal sealed class AvatarSpeechInput : IDisposable
{
    private readonly Lock _gate = new();
    private readonly int _outputRate;
    private StreamingResampler? _resampler;

    public AvatarSpeechInput(int outputRate) => _outputRate = outputRate;

    /// <summary>The frame's audio as mono PCM at the output rate (a new array: the avatar client copies nothing more).</summary>
    public byte[] Convert(AudioRawFrame audio)
    {
        ReadOnlySpan<byte> mono = audio.Audio.Span;
        byte[]? mixed = null;
        if (audio.Channels > 1)
        {
            mixed = new byte[audio.Audio.Length / audio.Channels];
            Pcm16.MixToMono(audio.Audio.Span, audio.Channels, mixed);
            mono = mixed;
        }

        if (audio.SampleRate == _outputRate)
        {
            return mixed ?? mono.ToArray();
        }

        lock (_gate)
        {
            if (_resampler is null || _resampler.InputRate != audio.SampleRate)
            {
                _resampler?.Dispose();
                _resampler = new StreamingResampler(audio.SampleRate, _outputRate);
            }

            byte[] output = new byte[_resampler.MaxOutputBytes(mono.Length)];
            int n = _resampler.Resample(mono, output);
            return n == output.Length ? output : output.AsSpan(0, n).ToArray();
        }
    }

    /// <summary>The resampler's tail at the end of an utterance (empty when nothing was resampled).</summary>
    public byte[] Flush()
    {
        lock (_gate)
        {
            if (_resampler is null)
            {
                return [];
            }

            byte[] tail = new byte[_resampler.MaxFlushBytes];
            int n = _resampler.Flush(tail);
            return tail.AsSpan(0, n).ToArray();
        }
    }

    /// <summary>Forgets the state of the utterance (after an interruption, or at a new utterance).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _resampler?.Reset();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _resampler?.Dispose();
            _resampler = null;
        }
    }
}
