namespace Pipeline.AI.Llm;

/// <summary>
/// Finds where the first complete sentence of streamed text ends, so speech can start before the reply is complete.
/// </summary>
/// <remarks>
/// A sentence ends at <c>.</c>, <c>!</c>, <c>?</c>, <c>…</c> (or their CJK forms, which need no space after them), plus
/// any closing quotes or brackets, followed by white space. Waiting for the white space is what keeps decimals
/// ("3.14") and version numbers whole even when a token boundary falls right after the point. A full stop does not
/// end a sentence after a title ("Dr. Smith", "St. Louis"), a single initial ("J. Smith"), or a common abbreviation
/// followed by a lower-case word ("e.g. this", "etc. and"); an abbreviation followed by a capital does.
/// </remarks>
internal static class SentenceBoundary
{
    private static readonly HashSet<string> s_abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e", "approx", "no", "fig",
        "inc", "ltd", "co", "corp", "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "a.m", "p.m", "u.s", "u.k", "ph.d",
    };

    /// <summary>
    /// The length of the first complete sentence in <paramref name="text"/> (including its punctuation and closing
    /// quotes, excluding the white space after it), or 0 when no sentence is complete yet.
    /// </summary>
    public static int FindEnd(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '。' or '！' or '？')
            {
                return i + 1;
            }

            if (c is not ('.' or '!' or '?' or '…'))
            {
                continue;
            }

            int end = i + 1;
            while (end < text.Length && text[end] is '.' or '!' or '?' or '…')
            {
                end++; // "?!" and "..." end together
            }

            while (end < text.Length && text[end] is '"' or '\'' or ')' or ']' or '”' or '’' or '»')
            {
                end++;
            }

            if (end >= text.Length || !char.IsWhiteSpace(text[end]))
            {
                i = end - 1;
                continue; // "3.14", "e.g." followed by more text, or the stream may continue
            }

            if (c == '.' && end == i + 1 && !EndsSentence(text, i, end))
            {
                i = end - 1;
                continue;
            }

            return end;
        }

        return 0;
    }

    // A lone full stop followed by white space: decide whether the word before it is an abbreviation or an initial.
    private static bool EndsSentence(ReadOnlySpan<char> text, int dot, int afterDot)
    {
        int start = dot;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1]) && text[start - 1] is not ('(' or '"' or '“'))
        {
            start--;
        }

        ReadOnlySpan<char> word = text[start..dot];
        if (word.Length == 0)
        {
            return true;
        }

        if (word.Length == 1 && char.IsUpper(word[0]))
        {
            return false; // an initial: "J. Smith"
        }

        if (!s_abbreviations.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word))
        {
            return true;
        }

        // "etc." and friends can end a sentence: then the next word starts with a capital letter.
        int next = afterDot;
        while (next < text.Length && char.IsWhiteSpace(text[next]))
        {
            next++;
        }

        bool titleBeforeName = word.Length <= 4 && word.Equals("etc", StringComparison.OrdinalIgnoreCase) is false
            && char.IsUpper(word[0]);
        if (titleBeforeName)
        {
            return false; // "Dr. Smith", "Mr. Jones", "St. Louis"
        }

        return next < text.Length && char.IsUpper(text[next]);
    }
}
