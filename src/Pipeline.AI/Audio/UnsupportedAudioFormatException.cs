namespace Pipeline.AI.Audio;

/// <summary>A provider returned audio the processors cannot decode (they take 16-bit PCM, raw or in WAV).</summary>
public sealed class UnsupportedAudioFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedAudioFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnsupportedAudioFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnsupportedAudioFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
