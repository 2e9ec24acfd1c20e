using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pipeline.Packaging.Tests;

/// <summary>
/// Compiles a <see cref="ReadmeSnippet"/> the way a new console app would: top-level statements, implicit usings,
/// nullable on, referencing every assembly this test runs with (the Pipeline packages' assemblies, the .NET and
/// ASP.NET Core shared frameworks, Microsoft.Extensions.*). Diagnostics point at the Markdown file's own lines.
/// </summary>
internal static partial class SnippetCompiler
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    private static readonly string s_implicitUsings = string.Join('\n', new[]
    {
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
    }.Select(n => $"global using global::{n};"));

    /// <summary>Compiles the snippet and returns its errors, each as 'FILE(line,col): error CSnnnn: message' plus the line.</summary>
    public static IReadOnlyList<string> Errors(ReadmeSnippet snippet, string fileName)
    {
        string source = Compose(snippet, fileName);
        var options = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            $"Snippet_{snippet.FenceLine}",
            [CSharpSyntaxTree.ParseText(s_implicitUsings, options, "ImplicitUsings.g.cs"), CSharpSyntaxTree.ParseText(source, options, "Snippet.g.cs")],
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        var lines = snippet.Context.Concat(snippet.Code).ToDictionary(l => l.Line, l => l.Text);
        return compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d =>
            {
                FileLinePositionSpan span = d.Location.GetMappedLineSpan();
                int line = span.StartLinePosition.Line + 1;
                string text = lines.TryGetValue(line, out string? t) ? $"\n    | {t.Trim()}" : "";
                return $"{span.Path}({line},{span.StartLinePosition.Character + 1}): error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}{text}";
            })
            .ToList();
    }

    /// <summary>
    /// The compiled text: the using directives of the context and of the block first, then the context's other lines,
    /// then the block. A <c>#line</c> directive before each run of lines keeps every diagnostic on its Markdown line.
    /// </summary>
    internal static string Compose(ReadmeSnippet snippet, string fileName)
    {
        var (contextUsings, contextRest) = SplitUsings(snippet.Context);
        var (codeUsings, codeRest) = SplitUsings(snippet.Code);
        var text = new StringBuilder();
        int next = -1;
        foreach ((int line, string content) in contextUsings.Concat(codeUsings).Concat(contextRest).Concat(codeRest))
        {
            if (line != next)
            {
                text.Append("#line ").Append(line).Append(" \"").Append(fileName).Append("\"\n");
            }

            text.Append(content).Append('\n');
            next = line + 1;
        }

        return text.ToString();
    }

    /// <summary>Leading using directives (and the blank or comment lines among them) versus the rest.</summary>
    private static (List<(int, string)> Usings, List<(int, string)> Others) SplitUsings(IReadOnlyList<(int Line, string Text)> lines)
    {
        int split = 0;
        int lastUsing = -1;
        for (; split < lines.Count; split++)
        {
            string t = lines[split].Text.Trim();
            if (UsingDirective().IsMatch(t))
            {
                lastUsing = split;
            }
            else if (t.Length > 0 && !t.StartsWith("//", StringComparison.Ordinal))
            {
                break;
            }
        }

        return ([.. lines.Take(lastUsing + 1)], [.. lines.Skip(lastUsing + 1)]);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
            ?? throw new InvalidOperationException("The host gave no TRUSTED_PLATFORM_ASSEMBLIES.");
        return [.. tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    [GeneratedRegex(@"^(global\s+)?using\s+(static\s+)?[A-Za-z_][\w.]*(\s*=\s*[\w.<>, ]+)?\s*;$")]
    private static partial Regex UsingDirective();
}
