namespace Pipeline.Core.Audio;

/// <summary>Limits and checks for 16-bit little-endian PCM.</summary>
public static class PcmFormat
{
    /// <summary>Lowest accepted sample rate, in Hz.</summary>
    public const int MinSampleRate = 8_000;

    /// <summary>Highest accepted sample rate, in Hz.</summary>
    public const int MaxSampleRate = 192_000;

    /// <summary>Highest accepted channel count.</summary>
    public const int MaxChannels = 8;

    /// <summary>Bytes per sample of one channel.</summary>
    public const int BytesPerSample = 2;

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> that says what is wrong when the buffer length, rate or channel
    /// count does not describe whole 16-bit PCM sample frames.
    /// </summary>
    public static void Validate(int byteLength, int sampleRate, int channels, string paramName = "audio")
    {
        if (sampleRate < MinSampleRate || sampleRate > MaxSampleRate)
        {
            throw new ArgumentOutOfRangeException(
                nameof(sampleRate), sampleRate, $"Sample rate must be {MinSampleRate} to {MaxSampleRate} Hz.");
        }

        if (channels < 1 || channels > MaxChannels)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"Channel count must be 1 to {MaxChannels}.");
        }

        int frameBytes = BytesPerSample * channels;
        if (byteLength % frameBytes != 0)
        {
            throw new ArgumentException(
                $"16-bit PCM with {channels} channel(s) needs a multiple of {frameBytes} bytes, but the buffer has {byteLength}.",
                paramName);
        }
    }

    /// <summary>Bytes of 16-bit PCM needed for <paramref name="duration"/> at this rate and channel count.</summary>
    public static int BytesFor(TimeSpan duration, int sampleRate, int channels = 1) =>
        checked((int)(duration.Ticks * sampleRate / TimeSpan.TicksPerSecond) * BytesPerSample * channels);

    /// <summary>Duration of <paramref name="byteLength"/> bytes of 16-bit PCM.</summary>
    public static TimeSpan DurationOf(int byteLength, int sampleRate, int channels = 1) =>
        TimeSpan.FromTicks((long)byteLength / (BytesPerSample * channels) * TimeSpan.TicksPerSecond / sampleRate);
}
