namespace Pipeline.LocalEngines;

/// <summary>The three files pocketsphinx needs for one language, checked to exist.</summary>
internal sealed record PocketsphinxModel(string Language, string AcousticModel, string LanguageModel, string Dictionary)
{
    /// <summary>Maps a request language ("en-US", "en", "en-us") to a model directory name.</summary>
    public static string NormalizeLanguage(string language)
    {
        string lower = language.Trim().Replace('_', '-').ToLowerInvariant();
        return lower == "en" ? "en-us" : lower;
    }

    public static PocketsphinxModel Locate(string root, string language)
    {
        string lang = NormalizeLanguage(language);
        string dir = Path.Combine(root, lang);
        var model = new PocketsphinxModel(
            lang,
            Path.Combine(dir, lang),
            Path.Combine(dir, lang + ".lm.bin"),
            Path.Combine(dir, "cmudict-" + lang + ".dict"));
        string package = "pocketsphinx-" + lang;
        if (!Directory.Exists(model.AcousticModel))
        {
            throw new SpeechEngineNotFoundException($"The pocketsphinx acoustic model for '{lang}' ({model.AcousticModel})", package);
        }

        if (!File.Exists(model.LanguageModel))
        {
            throw new SpeechEngineNotFoundException($"The pocketsphinx language model for '{lang}' ({model.LanguageModel})", package);
        }

        if (!File.Exists(model.Dictionary))
        {
            throw new SpeechEngineNotFoundException($"The pocketsphinx dictionary for '{lang}' ({model.Dictionary})", package);
        }

        return model;
    }
}
