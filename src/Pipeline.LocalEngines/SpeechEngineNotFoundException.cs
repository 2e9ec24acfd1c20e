namespace Pipeline.LocalEngines;

/// <summary>
/// A local speech engine (a program or its model) is not installed. The message names what is missing and what to
/// install; thrown when a client is created, so a misconfigured machine fails at start, not mid-conversation.
/// </summary>
public sealed class SpeechEngineNotFoundException : InvalidOperationException
{
    /// <summary>The script that installs every local engine on Debian.</summary>
    public const string PrerequisiteScript = "build/prereqs/30-local-speech-engines.sh";

    /// <summary>Creates the exception.</summary>
    /// <param name="missing">What was looked for and not found (a program name or a model path).</param>
    /// <param name="debianPackages">The Debian packages that provide it.</param>
    public SpeechEngineNotFoundException(string missing, string debianPackages)
        : base($"{missing} was not found. Install the Debian package(s) {debianPackages} " +
               $"(`sudo apt-get install {debianPackages}`, or run `bash {PrerequisiteScript}`), or set the path in the client's options.")
    {
        Missing = missing;
        DebianPackages = debianPackages;
    }

    /// <summary>Creates the exception with a message of the caller's.</summary>
    public SpeechEngineNotFoundException()
        : this("A local speech engine", "espeak-ng pocketsphinx pocketsphinx-en-us")
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SpeechEngineNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        Missing = message;
        DebianPackages = string.Empty;
    }

    /// <summary>What was looked for and not found.</summary>
    public string Missing { get; }

    /// <summary>The Debian packages that provide it, space-separated.</summary>
    public string DebianPackages { get; }
}
