namespace Pipeline.Silero;

/// <summary>The Silero VAD model file is not where the library looked; the message says how to install it.</summary>
public sealed class SileroModelNotFoundException : FileNotFoundException
{
    /// <summary>Creates the exception for the path that was looked at.</summary>
    /// <param name="path">Where the model was expected.</param>
    public SileroModelNotFoundException(string path)
        : base($"The Silero VAD model was not found at '{path}'. {SileroModelLocator.InstallHint}", path)
    {
    }

    /// <summary>Creates the exception with a message of the caller's.</summary>
    public SileroModelNotFoundException()
        : base($"The Silero VAD model was not found. {SileroModelLocator.InstallHint}")
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SileroModelNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
