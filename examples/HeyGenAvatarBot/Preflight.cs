using Pipeline.LiveKit;
using Pipeline.Silero;

namespace HeyGenAvatarBot;

/// <summary>
/// Finds every missing piece of a run (engine, model, key, ffmpeg, LiveKit engine) before anything starts, so a billed
/// avatar session is never opened for a run that cannot finish. Each problem says what is missing and what to do.
/// </summary>
internal static class Preflight
{
    public const string FfmpegHint =
        "ffmpeg is not installed: it encodes avatar.mp4. Run `sudo build/prereqs/30-ffmpeg.sh` (Debian/Ubuntu: apt-get install ffmpeg).";

    /// <summary>The problems of a run with <paramref name="options"/>; empty when it can start.</summary>
    /// <param name="options">The run.</param>
    /// <param name="findProgram">Finds a program on PATH (null when absent).</param>
    /// <param name="environment">Reads an environment variable (the loopback SFU's python may be named there).</param>
    public static IReadOnlyList<string> Check(BotOptions options, Func<string, string?> findProgram, Func<string, string?>? environment = null)
    {
        var problems = new List<string>();
        if (!File.Exists(Path.Combine(options.AssetsDirectory, "conversation.txt")))
        {
            problems.Add($"The scripted conversation is missing from {options.AssetsDirectory}: rebuild the example (its Assets folder is copied to the output).");
        }

        if (options.Mode == InputMode.Scripted && findProgram("ffmpeg") is null)
        {
            problems.Add(FfmpegHint);
        }

        if (options.Engines == EngineChoice.OpenAI && options.OpenAIKey is null)
        {
            problems.Add($"--engines openai needs an OpenAI API key: set {BotOptions.OpenAIKeyVariable} (https://platform.openai.com/api-keys), or use --engines local.");
        }

        if (!options.UsesOpenAI)
        {
            foreach ((string program, string package) in new[] { ("espeak-ng", "espeak-ng"), ("pocketsphinx_continuous", "pocketsphinx pocketsphinx-en-us") })
            {
                if (findProgram(program) is null)
                {
                    problems.Add($"{program} is not installed (local engines): run `sudo build/prereqs/30-local-speech-engines.sh` (Debian/Ubuntu: apt-get install {package}), or set {BotOptions.OpenAIKeyVariable} for OpenAI's.");
                }
            }
        }

        if (!File.Exists(SileroModelLocator.ResolvePath()))
        {
            problems.Add($"The Silero VAD model is missing: {SileroModelLocator.InstallHint}");
        }

        if (options.Provider == AvatarProvider.Bey)
        {
            problems.AddRange(BeyProblems(options, environment ?? Environment.GetEnvironmentVariable));
        }
        else if (options.Mode == InputMode.LiveKit)
        {
            problems.AddRange(options.LiveKit?.Problems() ?? [$"--livekit needs {LiveKitRoomSettings.UrlVariable}, {LiveKitRoomSettings.KeyVariable} and {LiveKitRoomSettings.SecretVariable}."]);
            if (!options.UsesRealAvatar)
            {
                problems.Add($"--livekit needs the real avatar, which joins your room itself (the offline emulator cannot): set {ProductChoice.LiveAvatarKeyVariable}.");
            }
            else if (!options.Avatar.LiveAvatar)
            {
                problems.Add("--livekit puts the avatar into your own room (livekit_config), which only LiveAvatar offers: drop --interactive and set " +
                    $"{ProductChoice.LiveAvatarKeyVariable}.");
            }
        }

        if (options.UsesRealAvatar || options.Mode == InputMode.LiveKit || options.Provider == AvatarProvider.Bey)
        {
            try
            {
                LiveKitRuntime.Initialize();
            }
            catch (Exception e) when (e is DllNotFoundException or FileNotFoundException or InvalidOperationException or BadImageFormatException)
            {
                problems.Add($"The LiveKit engine (needed to join LiveKit rooms) did not load: {e.Message} Run `build/prereqs/20-livekit-native.sh`.");
            }
        }

        return problems;
    }

    /// <summary>
    /// What <c>--avatar bey</c> lacks. Keyed, it needs your LiveKit room (the worker joins it); offline (no
    /// <c>BEY_API_KEY</c>) it runs only as <c>--scripted</c>, with the loopback SFU, which needs Debian's python3-aiortc.
    /// </summary>
    private static IEnumerable<string> BeyProblems(BotOptions options, Func<string, string?> environment)
    {
        BeyondPresenceSettings bey = options.Bey ?? new BeyondPresenceSettings();
        foreach (string problem in bey.Problems())
        {
            yield return problem;
        }

        if (bey.ApiKey is not null || options.Mode == InputMode.LiveKit)
        {
            foreach (string problem in options.LiveKit?.Problems("--avatar bey") ?? [])
            {
                yield return problem;
            }
        }

        if (bey.ApiKey is null && options.Mode == InputMode.LiveKit)
        {
            yield return $"--avatar bey in your LiveKit room needs a Beyond Presence API key: set {BeyondPresenceSettings.KeyVariable} " +
                "(https://app.bey.chat → API keys). Offline, run --scripted --avatar bey: an emulated worker on a local loopback LiveKit server.";
        }

        if (bey.ApiKey is null && options.Mode == InputMode.Scripted && LoopbackSfuLauncher.Problem(environment) is { } sfu)
        {
            yield return sfu;
        }
    }

    /// <summary>Finds <paramref name="program"/> in the directories of PATH.</summary>
    public static string? FindOnPath(string program)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
