using Pipeline.Core.Audio;

namespace Pipeline.LocalEngines;

/// <summary>16-bit PCM audio with its format, read from or written as a RIFF/WAVE file.</summary>
/// <param name="Pcm">Interleaved 16-bit little-endian PCM.</param>
/// <param name="SampleRate">Samples per second per channel, in Hz.</param>
/// <param name="Channels">Interleaved channel count.</param>
internal sealed record WavAudio(byte[] Pcm, int SampleRate, int Channels)
{
    /// <summary>The media type of a WAV file.</summary>
    public const string MediaType = WavFile.MediaType;

    /// <summary>Duration of the audio.</summary>
    public TimeSpan Duration => PcmFormat.DurationOf(Pcm.Length, SampleRate, Channels);

    /// <summary>Whether the bytes start like a RIFF/WAVE file.</summary>
    public static bool LooksLikeWav(ReadOnlySpan<byte> bytes) => WavFile.LooksLikeWav(bytes);

    /// <summary>
    /// Reads a RIFF/WAVE file of 16-bit PCM. Tolerates the placeholder lengths that streaming writers (such as
    /// <c>espeak-ng --stdout</c>) put in the headers: the data runs to the end of the buffer.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a WAV file, or not 16-bit PCM; the message says which.</exception>
    public static WavAudio Parse(ReadOnlySpan<byte> file)
    {
        ReadOnlySpan<byte> samples = WavFile.Samples(file, out WavHeader header);
        return new WavAudio(samples.ToArray(), header.SampleRate, header.Channels);
    }

    /// <summary>Writes the audio as a canonical 44-byte-header WAV file.</summary>
    public byte[] ToWav() => WavFile.Write(Pcm, SampleRate, Channels);
}
