namespace Pipeline.Packaging.Tests;

/// <summary>README.md's C# blocks compile against the packages, as a new console app would compile them.</summary>
public sealed class ReadmeSnippetTests
{
    private static readonly Lazy<IReadOnlyList<ReadmeSnippet>> s_readme = new(() =>
        ReadmeSnippet.Parse(File.ReadAllText(RepositoryRoot.Combine("README.md"))));

    /// <summary>One case per C# block of README.md, named by the line of its opening fence.</summary>
    public static TheoryData<int> ReadmeBlocks()
    {
        var data = new TheoryData<int>();
        foreach (ReadmeSnippet snippet in s_readme.Value.Where(s => s.SkipReason is null))
        {
            data.Add(snippet.FenceLine);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReadmeBlocks))]
    public void The_readme_block_at_this_line_compiles(int readmeLine)
    {
        ReadmeSnippet snippet = s_readme.Value.Single(s => s.FenceLine == readmeLine);

        IReadOnlyList<string> errors = SnippetCompiler.Errors(snippet, "README.md");

        if (errors.Count > 0)
        {
            Assert.Fail($"The ```csharp block at README.md line {readmeLine} does not compile as a new console app would compile it " +
                $"({errors.Count} errors). Add its using lines; declare what a fragment assumes in a '<!-- snippet: context' comment " +
                $"(docs/packaging.md).\n{string.Join('\n', errors)}");
        }
    }

    [Fact]
    public void The_readme_shows_compiled_csharp_and_skips_none_silently()
    {
        s_readme.Value.Should().HaveCountGreaterThanOrEqualTo(3, "the README's usage, emulator, DI and processor examples are C# blocks");
        s_readme.Value.Where(s => s.SkipReason is null).Should().NotBeEmpty();
        s_readme.Value.Should().NotContain(s => s.SkipReason != null && s.SkipReason.Trim().Length == 0, "a skipped block says why");
    }

    [Fact]
    public void A_failing_block_names_its_markdown_line_and_the_code_there()
    {
        const string markdown = "# Title\n\n```csharp\nusing Microsoft.Extensions.Logging;\n\n" +
            "await using var loggerFactory = LoggerFactory.Create(b => { });\n```\n";
        ReadmeSnippet snippet = ReadmeSnippet.Parse(markdown).Single();

        IReadOnlyList<string> errors = SnippetCompiler.Errors(snippet, "DOC.md");

        // ILoggerFactory is IDisposable only: 'await using' on it is CS8417, reported on line 6 of the Markdown file.
        errors.Should().ContainSingle().Which.Should().StartWith("DOC.md(6,").And.Contain("CS8417").And.Contain("await using var loggerFactory");
    }

    [Fact]
    public void Context_comments_declare_what_a_fragment_assumes_without_showing_it()
    {
        const string markdown = "<!-- snippet: context\nusing Microsoft.Extensions.Logging;\nILogger logger = null!;\n-->\n" +
            "```csharp\nlogger.LogInformation(\"hello\");\n```\n\n<!-- snippet: skip shows an error on purpose -->\n```csharp\nnot C#\n```\n";

        IReadOnlyList<ReadmeSnippet> snippets = ReadmeSnippet.Parse(markdown);

        snippets.Should().HaveCount(2);
        snippets[0].Context.Select(l => l.Text).Should().Equal("using Microsoft.Extensions.Logging;", "ILogger logger = null!;");
        SnippetCompiler.Errors(snippets[0], "DOC.md").Should().BeEmpty();
        snippets[1].SkipReason.Should().Be("shows an error on purpose");
    }

    [Fact]
    public void A_snippet_comment_that_configures_nothing_is_an_error()
    {
        Action unknown = () => ReadmeSnippet.Parse("<!-- snippet: wrap-in-class -->\n```csharp\nint x = 1;\n```\n");
        Action noReason = () => ReadmeSnippet.Parse("<!-- snippet: skip -->\n```csharp\nint x = 1;\n```\n");

        unknown.Should().Throw<FormatException>().WithMessage("line 1: unknown snippet comment*");
        noReason.Should().Throw<FormatException>().WithMessage("*needs a reason*");
    }
}
