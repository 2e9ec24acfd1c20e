using System.Globalization;

namespace Pipeline.LocalEngines;

/// <summary>
/// Reads <c>pocketsphinx_continuous -time yes</c> output: per utterance a hypothesis line, then one line per
/// recognised token, <c>word start end confidence</c> (seconds). Fillers (<c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>,
/// <c>&lt;sil&gt;</c>, <c>[NOISE]</c>...) are dropped and alternate-pronunciation suffixes (<c>the(2)</c>) removed.
/// </summary>
internal static class PocketsphinxTranscript
{
    public readonly record struct Word(string Text, TimeSpan Start, TimeSpan End);

    public static List<Word> Parse(string output)
    {
        var words = new List<Word>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 4
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double start)
                || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double end)
                || !double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                continue; // the hypothesis line, or anything else that is not a timed token
            }

            string token = parts[0];
            if (token.StartsWith('<') || token.StartsWith('[') || token.StartsWith("++", StringComparison.Ordinal))
            {
                continue;
            }

            int alternate = token.IndexOf('(', StringComparison.Ordinal);
            if (alternate > 0)
            {
                token = token[..alternate];
            }

            words.Add(new Word(token, TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end)));
        }

        return words;
    }
}
