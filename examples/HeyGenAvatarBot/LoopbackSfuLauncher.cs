using System.Diagnostics;

namespace HeyGenAvatarBot;

/// <summary>
/// The offline <c>--scripted --avatar bey</c> run's room: the loopback SFU of <c>tests/Pipeline.LiveKit.Testing</c> (a
/// stand-in LiveKit server in Python on Debian's python3-aiortc). This checks, before anything starts, that its python
/// can run it.
/// </summary>
internal static class LoopbackSfuLauncher
{
    /// <summary>Names another python than Debian's (the launcher reads the same variable).</summary>
    public const string PythonVariable = "PIPELINE_LIVEKIT_SFU_PYTHON";

    private const string DefaultPython = "/usr/bin/python3";
    private static readonly TimeSpan ProbeBudget = TimeSpan.FromSeconds(30);

    /// <summary>Why the loopback SFU cannot run here, with what to do; null when it can.</summary>
    public static string? Problem(Func<string, string?> environment)
    {
        string python = environment(PythonVariable) is { Length: > 0 } named ? named : DefaultPython;
        const string Fix =
            "run `sudo build/prereqs/20-livekit-native.sh` (Debian/Ubuntu: apt-get install python3-aiortc python3-websockets), " +
            "or set BEY_API_KEY and your LiveKit settings for the real Beyond Presence worker.";
        if (!File.Exists(python))
        {
            return $"--scripted --avatar bey runs a local loopback LiveKit server in Python, and {python} is not there: {Fix}";
        }

        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import aiortc, websockets");
        try
        {
            using Process probe = Process.Start(start) ?? throw new InvalidOperationException($"{python} did not start.");
            Task<string> errors = probe.StandardError.ReadToEndAsync();
            if (!probe.WaitForExit(ProbeBudget))
            {
                probe.Kill(entireProcessTree: true);
                return $"--scripted --avatar bey: {python} did not answer within {ProbeBudget.TotalSeconds:F0} s when asked for aiortc: {Fix}";
            }

            if (probe.ExitCode != 0)
            {
                string last = errors.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
                return $"--scripted --avatar bey runs a local loopback LiveKit server that needs python3-aiortc, which {python} lacks ({last}): {Fix}";
            }

            return null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"--scripted --avatar bey could not run {python} ({e.Message}): {Fix}";
        }
    }
}
