using System.Text.RegularExpressions;

namespace Pipeline.Packaging.Tests;

/// <summary>
/// One <c>```csharp</c> block of a Markdown file, with the hidden context its author gave it.
/// The convention (docs/packaging.md): an HTML comment right before the fence (blank lines allowed) that starts with
/// <c>snippet</c> configures the block:
/// <list type="bullet">
/// <item><c>&lt;!-- snippet: skip REASON --&gt;</c>: not compiled (the reason is required);</item>
/// <item><c>&lt;!-- snippet: context</c>, then C# lines, then <c>--&gt;</c>: declarations the fragment assumes
/// (variables, usings), compiled before it but not shown on the rendered page.</item>
/// </list>
/// </summary>
/// <param name="FenceLine">1-based line of the opening fence in the Markdown file.</param>
/// <param name="Code">The block's lines, each with its 1-based line number in the file.</param>
/// <param name="Context">The hidden context lines, each with its line number (inside the comment).</param>
/// <param name="SkipReason">Why the block is not compiled, or null.</param>
internal sealed partial record ReadmeSnippet(int FenceLine, IReadOnlyList<(int Line, string Text)> Code,
    IReadOnlyList<(int Line, string Text)> Context, string? SkipReason)
{
    /// <summary>Finds every C# block of <paramref name="markdown"/>; throws on a snippet comment that configures nothing.</summary>
    public static IReadOnlyList<ReadmeSnippet> Parse(string markdown)
    {
        string[] lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var snippets = new List<ReadmeSnippet>();
        for (int i = 0; i < lines.Length; i++)
        {
            Match fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            string language = fence.Groups["lang"].Value;
            int close = Array.FindIndex(lines, i + 1, l => l.TrimStart().StartsWith(fence.Groups["ticks"].Value, StringComparison.Ordinal));
            if (close < 0)
            {
                throw new FormatException($"line {i + 1}: the code fence is never closed.");
            }

            if (language is "csharp" or "cs" or "c#")
            {
                var code = Enumerable.Range(i + 1, close - i - 1).Select(n => (n + 1, lines[n])).ToList();
                (IReadOnlyList<(int, string)> context, string? skip) = ConfigurationBefore(lines, i);
                snippets.Add(new ReadmeSnippet(i + 1, code, context, skip));
            }
            else if (ConfigurationBefore(lines, i) is { SkipReason: not null } or { Context.Count: > 0 })
            {
                throw new FormatException($"line {i + 1}: a snippet comment precedes a '{language}' block; it only applies to csharp blocks.");
            }

            i = close;
        }

        return snippets;
    }

    private static (IReadOnlyList<(int Line, string Text)> Context, string? SkipReason) ConfigurationBefore(string[] lines, int fence)
    {
        int end = fence - 1;
        while (end >= 0 && string.IsNullOrWhiteSpace(lines[end]))
        {
            end--;
        }

        if (end < 0 || !lines[end].TrimEnd().EndsWith("-->", StringComparison.Ordinal))
        {
            return ([], null);
        }

        int start = end;
        while (start >= 0 && !lines[start].Contains("<!--", StringComparison.Ordinal))
        {
            start--;
        }

        if (start < 0)
        {
            return ([], null);
        }

        string head = lines[start][(lines[start].IndexOf("<!--", StringComparison.Ordinal) + 4)..].Trim();
        if (!head.StartsWith("snippet", StringComparison.Ordinal))
        {
            return ([], null);
        }

        if (head.StartsWith("snippet: skip", StringComparison.Ordinal))
        {
            string reason = head["snippet: skip".Length..].Replace("-->", "", StringComparison.Ordinal).Trim(' ', ':', '-');
            if (reason.Length == 0)
            {
                throw new FormatException($"line {start + 1}: 'snippet: skip' needs a reason (e.g. <!-- snippet: skip shell output -->).");
            }

            return ([], reason);
        }

        if (head.TrimEnd() != "snippet: context" || start == end)
        {
            throw new FormatException($"line {start + 1}: unknown snippet comment '{head}'. Use '<!-- snippet: skip REASON -->' or " +
                "'<!-- snippet: context' + C# lines + '-->'.");
        }

        var context = Enumerable.Range(start + 1, end - start - 1).Select(n => (n + 1, lines[n])).ToList();
        return (context, null);
    }

    [GeneratedRegex(@"^\s*(?<ticks>`{3,})\s*(?<lang>[A-Za-z#+-]*)\s*$")]
    private static partial Regex Fence();
}
