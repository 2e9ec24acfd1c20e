using System.Diagnostics;
using System.Globalization;

namespace HeyGenAvatarBot.Tests;

/// <summary>
/// <c>--scripted --avatar bey</c> offline, every part real: the shipped recording, Silero VAD, pocketsphinx, the scripted
/// responder, espeak-ng, the Beyond Presence dispatcher against the emulated worker, the worker in a loopback LiveKit
/// room over real WebRTC, a viewer in that room recording what it shows, ffmpeg. One turn and a small video keep it short.
/// </summary>
public sealed class BeyScriptedModeTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "voice-bot-bey-test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_offline_bey_conversation_exits_0_with_the_worker_removed_and_writes_what_the_room_showed()
    {
        var console = new StringWriter();
        var errors = new StringWriter();

        int exit = await BotCommand.RunAsync(
            ["--scripted", "--avatar", "bey", "--turns", "1", "--size", "160x90", "--engines", "local", "--output", _output],
            console, errors, _ => null, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));

        string log = console.ToString();
        exit.Should().Be(0, "stdout:\n{0}\nstderr:\n{1}", log, errors);
        log.Should().Contain("emulated Beyond Presence worker").And.Contain("loopback LiveKit room")
            .And.Contain("sessions: 1 opened, 1 closed", "the worker was dispatched once and removed from the room at the end");
        string transcript = await File.ReadAllTextAsync(Path.Combine(_output, "transcript.txt"));
        transcript.Should().Contain("] user: ").And.Contain("bot:  Hello!", "the avatar spoke the scripted reply").And.Contain("avatar speaking");

        (string[] streams, TimeSpan duration) = await ProbeAsync(Path.Combine(_output, "avatar.mp4"));
        streams.Should().BeEquivalentTo(["video h264", "audio aac"]);
        TimeSpan bot = BotSpeech(transcript);
        duration.Should().BeGreaterThan(bot, "the recording covers the avatar's reply as the room showed it, in real time");
        File.Exists(Path.Combine(_output, "contact-sheet.png")).Should().BeTrue();
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    private static TimeSpan BotSpeech(string transcript) =>
        TimeSpan.FromTicks(transcript.Split('\n').Where(l => l.Contains("] bot:  ", StringComparison.Ordinal)).Sum(l =>
            (TimeSpan.ParseExact(l.Substring(11, 7), @"mm\:ss\.f", CultureInfo.InvariantCulture)
             - TimeSpan.ParseExact(l.Substring(1, 7), @"mm\:ss\.f", CultureInfo.InvariantCulture)).Ticks));

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
