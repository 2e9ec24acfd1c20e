namespace Pipeline.LocalEngines;

/// <summary>Settings of <see cref="PocketsphinxSpeechToTextClient"/>.</summary>
public sealed class PocketsphinxOptions
{
    /// <summary>The recognizer program: a bare name is looked up on PATH. Default <c>pocketsphinx_continuous</c> (Debian package pocketsphinx).</summary>
    public string ExecutablePath { get; init; } = "pocketsphinx_continuous";

    /// <summary>
    /// Where the models live, one directory per language as Debian lays them out:
    /// <c>&lt;root&gt;/&lt;lang&gt;/&lt;lang&gt;/</c> (acoustic model), <c>&lt;lang&gt;.lm.bin</c> (language model),
    /// <c>cmudict-&lt;lang&gt;.dict</c> (dictionary). Default <c>/usr/share/pocketsphinx/model</c> (Debian package pocketsphinx-en-us).
    /// </summary>
    public string ModelRoot { get; init; } = "/usr/share/pocketsphinx/model";

    /// <summary>The language used when a request names none, as a model directory name. Default <c>en-us</c>.</summary>
    public string DefaultLanguage { get; init; } = "en-us";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ExecutablePath))
        {
            throw new ArgumentException("ExecutablePath must name the pocketsphinx_continuous program.", nameof(ExecutablePath));
        }

        if (string.IsNullOrWhiteSpace(ModelRoot))
        {
            throw new ArgumentException("ModelRoot must name the pocketsphinx model directory.", nameof(ModelRoot));
        }

        if (string.IsNullOrWhiteSpace(DefaultLanguage))
        {
            throw new ArgumentException("DefaultLanguage must name a model language, e.g. 'en-us'.", nameof(DefaultLanguage));
        }
    }
}
