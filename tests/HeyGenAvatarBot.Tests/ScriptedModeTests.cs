using System.Diagnostics;
using System.Globalization;
using HeyGenAvatarBot.Conversation;

namespace HeyGenAvatarBot.Tests;

/// <summary>
/// The scripted mode end to end, every part real: the shipped user recordings played in real time, Silero VAD,
/// pocketsphinx, the scripted responder, espeak-ng, the avatar on the HeyGen emulator, ffmpeg. Two turns and a small
/// video keep it short.
/// </summary>
public sealed class ScriptedModeTests : IDisposable
{
    private const int Turns = 2;
    private readonly string _output = Path.Combine(Path.GetTempPath(), "voice-bot-test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_scripted_conversation_exits_0_and_writes_a_playable_mp4_a_contact_sheet_and_the_transcript()
    {
        var console = new StringWriter();
        var errors = new StringWriter();

        int exit = await BotCommand.RunAsync(
            ["--scripted", "--turns", $"{Turns}", "--size", "160x90", "--engines", "local", "--output", _output],
            console, errors, NoKeys, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));

        string log = console.ToString();
        exit.Should().Be(0, "stdout:\n{0}\nstderr:\n{1}", log, errors);
        log.Should().Contain("sessions: 1 opened, 1 closed");

        IReadOnlyList<ScriptedTurn> turns = ScriptedTurn.LoadAll(Path.Combine(AppContext.BaseDirectory, "Assets")).Take(Turns).ToList();
        string transcript = await File.ReadAllTextAsync(Path.Combine(_output, "transcript.txt"));
        string[] userLines = [.. transcript.Split('\n').Where(l => l.Contains("] user: ", StringComparison.Ordinal))];
        userLines.Should().HaveCount(Turns, transcript);
        for (int i = 0; i < Turns; i++)
        {
            userLines[i].Should().ContainAny(turns[i].Keywords, "the recognizer heard some of turn {0}'s words", i + 1);
            foreach (string sentence in Sentences(turns[i].Reply))
            {
                transcript.Should().Contain($"bot:  {sentence}", "the avatar spoke the scripted reply to turn {0}", i + 1);
            }
        }

        transcript.Should().Contain("VAD end → transcript").And.Contain("avatar speaking");

        (string[] streams, TimeSpan duration) = await ProbeAsync(Path.Combine(_output, "avatar.mp4"));
        streams.Should().BeEquivalentTo(["video h264", "audio aac"]);
        TimeSpan expected = ExpectedDuration(transcript, log);
        duration.TotalSeconds.Should().BeApproximately(expected.TotalSeconds, expected.TotalSeconds * 0.10,
            "the video covers the conversation: from the avatar's first frame to the pause after its last reply");
        TimeSpan speech = TimeSpan.FromTicks(turns.Sum(t => t.Duration.Ticks)) + BotSpeech(transcript);
        duration.Should().BeGreaterThan(speech, "the user's and the bot's speech all lie inside it");

        byte[] png = await File.ReadAllBytesAsync(Path.Combine(_output, "contact-sheet.png"));
        png.AsSpan(0, 8).ToArray().Should().Equal(137, 80, 78, 71, 13, 10, 26, 10);
        new FileInfo(Path.Combine(_output, "avatar.mp4")).Length.Should().BeLessThan(1_000_000, "a small file that plays anywhere");
    }

    [Fact]
    public async Task Cancelling_mid_reply_closes_the_session_finishes_the_mp4_and_exits_130()
    {
        var console = new LineSignallingWriter();
        using var interrupt = new CancellationTokenSource();

        Task<int> run = BotCommand.RunAsync(["--scripted", "--turns", "1", "--size", "160x90", "--engines", "local", "--output", _output],
            console, console, NoKeys, interrupt.Token);
        await console.WhenLine(l => l.Contains("avatar speaking:", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromMinutes(2));
        await interrupt.CancelAsync(); // what Ctrl+C does in Program.cs
        int exit = await run.WaitAsync(TimeSpan.FromMinutes(1));

        exit.Should().Be(130, console.ToString());
        console.ToString().Should().Contain("sessions: 1 opened, 1 closed");
        (string[] streams, _) = await ProbeAsync(Path.Combine(_output, "avatar.mp4"));
        streams.Should().BeEquivalentTo(["video h264", "audio aac"], "the file recorded so far was finished and plays");
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    private static string? NoKeys(string name) => null;

    private static IEnumerable<string> Sentences(string reply) =>
        System.Text.RegularExpressions.Regex.Split(reply, @"(?<=[.!?])\s+").Where(s => s.Length > 0);

    /// <summary>From the first video frame (the session's first line after 'opening') to the last reply's end plus the closing pause.</summary>
    private static TimeSpan ExpectedDuration(string transcript, string log)
    {
        TimeSpan firstVideo = Stamp(log.Split('\n').First(l => l.Contains("user turn 1 plays", StringComparison.Ordinal))) - ScriptedMicrophone.Pause;
        string lastBot = transcript.Split('\n').Last(l => l.Contains("] bot:  ", StringComparison.Ordinal));
        TimeSpan lastEnd = TimeSpan.ParseExact(lastBot.Substring(11, 7), @"mm\:ss\.f", CultureInfo.InvariantCulture);
        return lastEnd + ScriptedMicrophone.Pause - firstVideo;
    }

    private static TimeSpan BotSpeech(string transcript) =>
        TimeSpan.FromTicks(transcript.Split('\n').Where(l => l.Contains("] bot:  ", StringComparison.Ordinal)).Sum(l =>
            (TimeSpan.ParseExact(l.Substring(11, 7), @"mm\:ss\.f", CultureInfo.InvariantCulture)
             - TimeSpan.ParseExact(l.Substring(1, 7), @"mm\:ss\.f", CultureInfo.InvariantCulture)).Ticks));

    private static TimeSpan Stamp(string consoleLine) =>
        TimeSpan.ParseExact(consoleLine.Substring(1, 7), @"mm\:ss\.f", CultureInfo.InvariantCulture);

    /// <summary>ffprobe's streams ("video h264") and the container's duration.</summary>
    private static async Task<(string[] Streams, TimeSpan Duration)> ProbeAsync(string mp4)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-v", "error", "-show_entries", "stream=codec_type,codec_name:format=duration", "-of", "csv=p=0", mp4 })
        {
            start.ArgumentList.Add(arg);
        }

        using Process probe = Process.Start(start)!;
        string output = await probe.StandardOutput.ReadToEndAsync();
        string error = await probe.StandardError.ReadToEndAsync();
        await probe.WaitForExitAsync();
        probe.ExitCode.Should().Be(0, "ffprobe decodes the file: {0}", error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] streams = [.. lines.Where(l => l.Contains(',')).Select(l => string.Join(' ', l.Split(',').Reverse()))];
        double seconds = double.Parse(lines.Single(l => !l.Contains(',')), CultureInfo.InvariantCulture);
        return (streams, TimeSpan.FromSeconds(seconds));
    }
}
