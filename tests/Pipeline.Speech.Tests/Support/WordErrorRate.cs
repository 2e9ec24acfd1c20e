namespace Pipeline.Speech.Tests.Support;

/// <summary>Word error rate: word-level edit distance (substitutions + deletions + insertions) over the reference length.</summary>
internal static class WordErrorRate
{
    public static double Compute(string reference, string hypothesis) =>
        (double)Errors(reference, hypothesis) / Math.Max(1, Words(reference).Length);

    /// <summary>Word error rate over several utterances: all their errors over all their reference words.</summary>
    public static double Compute(IReadOnlyList<(string Reference, string Hypothesis)> utterances) =>
        (double)utterances.Sum(u => Errors(u.Reference, u.Hypothesis)) / Math.Max(1, utterances.Sum(u => Words(u.Reference).Length));

    /// <summary>Substitutions + deletions + insertions needed to turn the reference into the hypothesis.</summary>
    public static int Errors(string reference, string hypothesis)
    {
        string[] r = Words(reference);
        string[] h = Words(hypothesis);
        int[,] d = new int[r.Length + 1, h.Length + 1];
        for (int i = 0; i <= r.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= h.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= r.Length; i++)
        {
            for (int j = 1; j <= h.Length; j++)
            {
                int substitution = d[i - 1, j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1);
                d[i, j] = Math.Min(substitution, Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1));
            }
        }

        return d[r.Length, h.Length];
    }

    private static string[] Words(string text) =>
        new string(text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) || c == '\'' ? c : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
