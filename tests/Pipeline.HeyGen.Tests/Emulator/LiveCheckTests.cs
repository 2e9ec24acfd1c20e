using System.Text;
using HeyGenLiveCheck;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.HeyGen.Tests.Emulator;

/// <summary>The live conformance check run against the emulator: every report line docs/heygen-protocol.md refers to
/// is there, and the one session it opened is closed, also when the run is cancelled.</summary>
public sealed class LiveCheckTests
{
    private static readonly LiveCheckOptions Fast = new()
    {
        Target = LiveCheckTarget.Emulator,
        KeepAliveInterval = TimeSpan.FromMilliseconds(200),
        IdleWait = TimeSpan.FromMilliseconds(500),
    };

    [Fact]
    public async Task Against_the_emulator_the_report_has_every_line_and_the_ledger_shows_one_session_opened_and_closed()
    {
        var output = new StringWriter();
        var report = new LiveCheckReport(output);

        var status = await LiveCheck.RunAsync(Fast, report, NullLoggerFactory.Instance, CancellationToken.None);

        status.Should().Be(0, output.ToString());
        var lines = report.Lines;
        lines.Should().Contain(l => l.StartsWith("event: +", StringComparison.Ordinal) && l.Contains("session.state_updated", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("event: +", StringComparison.Ordinal) && l.Contains("agent.speak_started", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("avatar: identity=heygen present=True tracks=video(", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("first-video: ", StringComparison.Ordinal) && l.EndsWith("640x360", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("first-audio-after-speak: ", StringComparison.Ordinal) && l.EndsWith(" ms", StringComparison.Ordinal));
        lines.Should().Contain("interrupt: answered with agent.speak_interrupted");
        lines.Should().Contain(l => l.StartsWith("keepalive: websocket session.keep_alive x", StringComparison.Ordinal) && l.EndsWith("the session is alive", StringComparison.Ordinal));
        lines.Should().Contain("connected: session.state_updated connected was sent");
        lines.Should().Contain("stop: succeeded");
        lines.Should().Contain(l => l.StartsWith("second-stop: refused: ", StringComparison.Ordinal) && l.Contains("already ended", StringComparison.Ordinal));
        lines[^1].Should().Be("ledger: opened=1 closed=1 open=0");
        output.ToString().Should().Contain("ledger: opened=1 closed=1 open=0");
    }

    [Fact]
    public async Task Cancelled_right_after_the_session_opened_the_check_still_closes_it()
    {
        using var cancel = new CancellationTokenSource();
        var report = new LiveCheckReport(new CancelOnLine("session: opened", cancel));

        var status = await LiveCheck.RunAsync(Fast, report, NullLoggerFactory.Instance, cancel.Token);

        status.Should().Be(1);
        report.Lines.Should().Contain("result: cancelled");
        report.Lines.Should().Contain("stop: succeeded");
        report.Lines[^1].Should().Be("ledger: opened=1 closed=1 open=0");
    }

    // Ctrl+C at a chosen moment: cancels when the report writes a given line.
    private sealed class CancelOnLine(string line, CancellationTokenSource cancel) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            if (value == line)
            {
                cancel.Cancel();
            }
        }
    }
}
