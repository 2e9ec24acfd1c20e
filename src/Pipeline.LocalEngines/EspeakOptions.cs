namespace Pipeline.LocalEngines;

/// <summary>Settings of <see cref="EspeakTextToSpeechClient"/>. Per-call <c>TextToSpeechOptions</c> override the voice and scale rate, pitch and volume.</summary>
public sealed class EspeakOptions
{
    /// <summary>The espeak-ng program: a bare name is looked up on PATH. Default <c>espeak-ng</c> (Debian package espeak-ng).</summary>
    public string ExecutablePath { get; init; } = "espeak-ng";

    /// <summary>The espeak-ng voice (<c>espeak-ng --voices</c> lists them; a language code such as <c>en-us</c> or <c>de</c> works). Default <c>en-us</c>.</summary>
    public string Voice { get; init; } = "en-us";

    /// <summary>Speaking rate, in words per minute (80 to 450). Default 175 (espeak-ng's own default).</summary>
    public int WordsPerMinute { get; init; } = 175;

    /// <summary>Pitch, 0 to 99. Default 50.</summary>
    public int Pitch { get; init; } = 50;

    /// <summary>Amplitude, 0 to 200. Default 100.</summary>
    public int Amplitude { get; init; } = 100;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ExecutablePath))
        {
            throw new ArgumentException("ExecutablePath must name the espeak-ng program.", nameof(ExecutablePath));
        }

        if (string.IsNullOrWhiteSpace(Voice))
        {
            throw new ArgumentException("Voice must name an espeak-ng voice, e.g. 'en-us'.", nameof(Voice));
        }

        if (WordsPerMinute is < 80 or > 450)
        {
            throw new ArgumentOutOfRangeException(nameof(WordsPerMinute), WordsPerMinute, "WordsPerMinute must be 80 to 450.");
        }

        if (Pitch is < 0 or > 99)
        {
            throw new ArgumentOutOfRangeException(nameof(Pitch), Pitch, "Pitch must be 0 to 99.");
        }

        if (Amplitude is < 0 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(Amplitude), Amplitude, "Amplitude must be 0 to 200.");
        }
    }
}
