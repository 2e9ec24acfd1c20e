namespace Pipeline.LiveKit;

/// <summary>LiveKit's native engine could not be found or loaded. The message says what to do.</summary>
public sealed class LiveKitNativeLibraryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LiveKitNativeLibraryException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LiveKitNativeLibraryException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public LiveKitNativeLibraryException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// The engine refused or failed an operation (join refused, timed out, request rejected). The message carries the
/// engine's own error text; it never contains the access token.
/// </summary>
public class LiveKitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LiveKitException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LiveKitException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public LiveKitException(string message)
        : base(message)
    {
    }
}
