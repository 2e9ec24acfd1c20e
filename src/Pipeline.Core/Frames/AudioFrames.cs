using Pipeline.Core.Audio;

namespace Pipeline.Core.Frames;

/// <summary>
/// Raw audio: 16-bit little-endian interleaved PCM with a sample rate and channel count, validated at construction.
/// </summary>
/// <remarks>
/// The payload is a <see cref="ReadOnlyMemory{T}"/> so a producer can hand over pooled or native memory without
/// copying; the producer must keep it valid until the frame has been consumed.
/// </remarks>
public abstract class AudioRawFrame : DataFrame
{
    /// <summary>Validates and wraps the audio.</summary>
    /// <param name="audio">Interleaved 16-bit little-endian PCM.</param>
    /// <param name="sampleRate">Samples per second per channel, in Hz (<see cref="PcmFormat.MinSampleRate"/> to <see cref="PcmFormat.MaxSampleRate"/>).</param>
    /// <param name="channels">Channel count (1 to <see cref="PcmFormat.MaxChannels"/>).</param>
    /// <exception cref="ArgumentException">The length is not a whole number of sample frames, or the rate or channel count is out of range.</exception>
    protected AudioRawFrame(ReadOnlyMemory<byte> audio, int sampleRate, int channels)
    {
        PcmFormat.Validate(audio.Length, sampleRate, channels, nameof(audio));
        Audio = audio;
        SampleRate = sampleRate;
        Channels = channels;
    }

    /// <summary>Interleaved 16-bit little-endian PCM.</summary>
    public ReadOnlyMemory<byte> Audio { get; }

    /// <summary>Samples per second per channel, in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Number of interleaved channels.</summary>
    public int Channels { get; }

    /// <summary>Number of samples per channel.</summary>
    public int SampleCount => Audio.Length / (2 * Channels);

    /// <summary>Duration of the audio.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(SampleCount * TimeSpan.TicksPerSecond / SampleRate);

    /// <inheritdoc />
    public override string ToString() => $"{Name}({SampleCount} samples, {SampleRate} Hz, {Channels} ch)";
}

/// <summary>Audio captured from the user by an input transport.</summary>
public sealed class InputAudioRawFrame(ReadOnlyMemory<byte> audio, int sampleRate, int channels)
    : AudioRawFrame(audio, sampleRate, channels);

/// <summary>Audio on its way to an output transport.</summary>
public class OutputAudioRawFrame(ReadOnlyMemory<byte> audio, int sampleRate, int channels)
    : AudioRawFrame(audio, sampleRate, channels);

/// <summary>Audio synthesised by a text-to-speech service for one utterance.</summary>
public sealed class TTSAudioRawFrame(ReadOnlyMemory<byte> audio, int sampleRate, int channels)
    : OutputAudioRawFrame(audio, sampleRate, channels)
{
    /// <summary>Identifies the utterance; matches the surrounding <see cref="TTSStartedFrame"/>/<see cref="TTSStoppedFrame"/>.</summary>
    public string? ContextId { get; init; }
}

/// <summary>The bot's speech as it will be heard, e.g. an avatar's lip-synced audio.</summary>
public sealed class SpeechOutputAudioRawFrame(ReadOnlyMemory<byte> audio, int sampleRate, int channels)
    : OutputAudioRawFrame(audio, sampleRate, channels);
