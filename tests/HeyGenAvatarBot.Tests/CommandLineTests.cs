namespace HeyGenAvatarBot.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void The_options_print_without_the_OpenAI_key()
    {
        var options = new BotOptions { OpenAIKey = "sk-test-secret-1234567890", OutputDirectory = "out" };

        options.ToString().Should().NotContain("sk-test-secret").And.Contain("OpenAI = True");
    }

    [Fact]
    public async Task Help_exits_0_and_lists_every_mode_option_and_key()
    {
        var output = new StringWriter();

        int exit = await BotCommand.RunAsync(["--help"], output, new StringWriter(), _ => null, CancellationToken.None);

        exit.Should().Be(0);
        output.ToString().Should().Contain("--scripted").And.Contain("(default)").And.Contain("--engines")
            .And.Contain("--llm-model").And.Contain("--stt-model").And.Contain("--tts-model").And.Contain("--tts-voice")
            .And.Contain("OPENAI_API_KEY").And.Contain("LIVEAVATAR_API_KEY").And.Contain("HEYGEN_API_KEY").And.Contain("LIVEKIT_URL")
            .And.Contain("--avatar").And.Contain("BEY_API_KEY").And.Contain("python3-aiortc");
    }

    [Fact]
    public async Task The_usage_file_that_build_sh_prints_for_run_help_is_the_programs_own_help()
    {
        var output = new StringWriter();
        await BotCommand.RunAsync(["--help"], output, new StringWriter(), _ => null, CancellationToken.None);
        string usage = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "examples", "HeyGenAvatarBot", "USAGE.txt"));

        Normalize(usage).Should().Be(Normalize(output.ToString()),
            "build.sh answers `run --help` from USAGE.txt without building; regenerate it with " +
            "`dotnet examples/HeyGenAvatarBot/bin/Release/net10.0/HeyGenAvatarBot.dll --help > examples/HeyGenAvatarBot/USAGE.txt`");
    }

    [Fact]
    public async Task Build_sh_run_help_exits_0_without_building_anything()
    {
        var start = new System.Diagnostics.ProcessStartInfo(Preflight.FindOnPath("bash")!) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "build.sh"));
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--help");
        // A PATH with only what the help path uses: no dotnet, so an attempt to build would fail the test.
        string bin = Directory.CreateTempSubdirectory("build-sh-help-").FullName;
        foreach (string tool in new[] { "dirname", "cat" })
        {
            File.CreateSymbolicLink(Path.Combine(bin, tool), Preflight.FindOnPath(tool)!);
        }

        start.Environment["PATH"] = bin;

        using var process = System.Diagnostics.Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Directory.Delete(bin, recursive: true);

        process.ExitCode.Should().Be(0, await process.StandardError.ReadToEndAsync());
        output.Should().Contain("--scripted").And.Contain("OPENAI_API_KEY");
    }

    [Fact]
    public async Task A_mode_whose_key_is_missing_is_reported_before_anything_opens()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string directory = Path.Combine(Path.GetTempPath(), "voice-bot-missing-key-" + Guid.NewGuid().ToString("N"));

        // A (fake) LiveAvatar key: had the check come late, a billed session would have been asked for first.
        int exit = await BotCommand.RunAsync(["--scripted", "--engines", "openai", "--output", directory], output, error,
            name => name == ProductChoice.LiveAvatarKeyVariable ? "not-a-real-key" : null, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().Contain("OPENAI_API_KEY").And.Contain("nothing was opened").And.NotContain("not-a-real-key");
        output.ToString().Should().NotContain("Avatar :", "no avatar connection was made").And.NotContain("sessions:");
        Directory.Exists(directory).Should().BeFalse("nothing ran");
    }

    [Fact]
    public async Task An_odd_video_size_is_refused_with_what_to_pass()
    {
        var error = new StringWriter();

        int exit = await BotCommand.RunAsync(["--size", "161x90"], new StringWriter(), error, _ => null, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().Contain("--size must look like 640x360");
    }

    private static string Normalize(string help) =>
        string.Join(' ', help.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => !w.Contains("HeyGenAvatarBot", StringComparison.Ordinal) && !w.Contains("testhost", StringComparison.Ordinal)));

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "build.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with build.sh) is not above the test's directory.");
    }
}
