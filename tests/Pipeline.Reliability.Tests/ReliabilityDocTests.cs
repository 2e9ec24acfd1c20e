using System.Text;
using Xunit.Abstractions;

namespace Pipeline.Reliability.Tests;

/// <summary>Keeps the outcome table in docs/reliability.md identical to <see cref="FaultMatrix"/>.</summary>
public sealed class ReliabilityDocTests(ITestOutputHelper output)
{
    public const string Begin = "<!-- fault-matrix:begin (generated from tests/Pipeline.Reliability.Tests/FaultMatrix.cs; do not edit by hand) -->";
    public const string End = "<!-- fault-matrix:end -->";

    [Fact]
    public void The_outcome_table_in_docs_reliability_md_matches_the_fault_matrix()
    {
        string path = Path.Combine(RepositoryRoot(), "docs", "reliability.md");
        string expected = Render();
        string actual = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : string.Empty;
        int begin = actual.IndexOf(Begin, StringComparison.Ordinal);
        int end = actual.IndexOf(End, StringComparison.Ordinal);
        string committed = begin >= 0 && end > begin ? actual[begin..(end + End.Length)] : string.Empty;
        if (committed != expected && Environment.GetEnvironmentVariable("UPDATE_RELIABILITY_DOC") == "1" && begin >= 0 && end > begin)
        {
            File.WriteAllText(path, actual[..begin] + expected + actual[(end + End.Length)..]);
            output.WriteLine("docs/reliability.md updated.");
            return;
        }

        if (committed != expected)
        {
            output.WriteLine("docs/reliability.md is out of date: rerun with UPDATE_RELIABILITY_DOC=1 to rewrite it, or replace the section " +
                $"between the markers (inclusive) with:\n\n{expected}");
        }

        committed.Should().Be(expected, "docs/reliability.md must show the fault matrix the tests check (the expected section is printed in the test output)");
    }

    /// <summary>The generated section, markers included.</summary>
    public static string Render()
    {
        var text = new StringBuilder();
        text.Append(Begin).Append('\n');
        text.Append('\n');
        text.Append("| Product | Step | Fault | Outcome | Named in the error (or, for Recovers / IgnoredAndLogged, the log line) by |\n");
        text.Append("|---|---|---|---|---|\n");
        foreach (FaultCase c in FaultMatrix.Cases)
        {
            text.Append($"| {c.Product} | {c.Step} | {Describe(c.Fault)} | **{c.Outcome}** | `{c.Cause}` |\n");
        }

        text.Append('\n');
        text.Append($"{FaultMatrix.Cases.Count} rows: ");
        text.Append(string.Join(", ", FaultMatrix.Cases.GroupBy(c => c.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}")));
        text.Append(".\n\n");
        text.Append("| Outcome | Meaning |\n");
        text.Append("|---|---|\n");
        foreach (Outcome outcome in Enum.GetValues<Outcome>())
        {
            text.Append($"| **{outcome}** | {Meaning(outcome)} |\n");
        }

        text.Append('\n');
        text.Append(End);
        return text.ToString();
    }

    private static string Describe(Fault fault) => fault switch
    {
        Fault.Http400 => "HTTP 400",
        Fault.Http401 => "HTTP 401",
        Fault.Http429 => "HTTP 429",
        Fault.Http500 => "HTTP 500",
        Fault.Http503 => "HTTP 503",
        Fault.DelayPastTimeout => "no answer past the timeout",
        Fault.AnswerAfterTimeout => "work done, answer after the attempt timeout",
        Fault.ConnectionReset => "connection reset",
        Fault.MalformedBody => "HTTP 200, malformed body",
        Fault.WebSocketDrop => "websocket dropped (reconnect succeeds)",
        Fault.WebSocketDropNoReconnect => "websocket dropped, every reconnect refused (503)",
        Fault.MalformedWebSocketMessage => "malformed websocket message",
        Fault.UnknownWebSocketMessage => "websocket event of an unknown type",
        Fault.MediaConnectFailure => "room join refused",
        _ => fault.ToString(),
    };

    private static string Meaning(Outcome outcome) => outcome switch
    {
        Outcome.FatalAtStart => "The run ends with a fatal `ErrorFrame` (`PipelineException`) naming the step that failed and the cause; whatever was opened is closed (0 open sessions).",
        Outcome.Recovers => "The fault is retried away (a log line says so): no `ErrorFrame`, the session works and ends cleanly.",
        Outcome.ErrorAndContinues => "A non-fatal `ErrorFrame` names the cause; the session keeps working (later speech is delivered in full) and ends cleanly.",
        Outcome.IgnoredAndLogged => "The message is ignored and logged (a malformed one as a warning; an unknown event type at trace level, as HeyGen adds event types); no `ErrorFrame`, the session is unaffected.",
        Outcome.FatalMidSession => "A fatal `ErrorFrame` names the cause mid-session; the run ends and the session is stopped.",
        Outcome.CloseFailsSessionIdlesOut => "Stopping the session failed: a non-fatal `ErrorFrame` says it may stay billed; the run still ends with no task left, and the session stays open until HeyGen's idle timeout (120 s) ends it.",
        _ => outcome.ToString(),
    };

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Pipeline.sln above {AppContext.BaseDirectory}.");
    }
}
