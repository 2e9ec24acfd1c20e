using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace HeyGenAvatarBot;

/// <summary>The bot's command line: modes, options, the checks before anything starts, and the run.</summary>
internal static class BotCommand
{
    public const string Description =
        "A voice bot with a talking HeyGen avatar, in a .NET frame pipeline: your speech → VAD (Silero) → speech to text → " +
        "LLM → text to speech → HeyGenVideoService → video and audio.\n\n" +
        "Modes:\n" +
        "  (default)    The browser playground: prints a URL; open it, allow the microphone, and talk to the avatar\n" +
        "               (WebSocket transport; the avatar greets you, answers, and stops when you speak over it).\n" +
        "  --scripted   Headless: plays a short recorded conversation (shipped user WAVs) in real time through the pipeline,\n" +
        "               writes avatar.mp4 (H.264 + AAC), contact-sheet.png and transcript.txt, then exits 0.\n" +
        "  --livekit    Your LiveKit room (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET; and LIVEAVATAR_API_KEY): the bot\n" +
        "               joins it and listens to the first person; the avatar publishes into it (direct-room mode). All tokens are\n" +
        "               minted locally; the user's is written to <output>/livekit-user-token.txt, and the secret is never printed.\n" +
        "  --avatar bey Beyond Presence instead of HeyGen, through LiveKit's avatar-worker protocol: with BEY_API_KEY and the\n" +
        "               LiveKit settings the bot joins your room (as --livekit) and the Beyond Presence worker publishes the avatar\n" +
        "               there. Offline, --scripted --avatar bey runs against an emulated worker on a local loopback LiveKit server\n" +
        "               (Debian's python3-aiortc) and records what a viewer in the room sees into avatar.mp4.\n\n" +
        "Engines and avatar (every missing piece is reported before any session opens):\n" +
        "  no keys                 offline: pocketsphinx, a scripted responder and espeak-ng; the avatar on the built-in HeyGen emulator.\n" +
        "  OPENAI_API_KEY          OpenAI speech to text, chat and text to speech (Microsoft.Extensions.AI.OpenAI); models below.\n" +
        "  LIVEAVATAR_API_KEY      the real avatar on HeyGen LiveAvatar (billed), media through its LiveKit room.\n" +
        "  HEYGEN_API_KEY          the real avatar on the Interactive Avatar API (billed), if LIVEAVATAR_API_KEY is not set.\n" +
        "  BEY_API_KEY             with --avatar bey: the real Beyond Presence worker (billed) in your LiveKit room.\n\n" +
        "Exit codes: 0 done, 1 failed, 2 bad options or missing prerequisites, 130 interrupted (Ctrl+C).";

    /// <summary>Parses <paramref name="args"/>, checks the prerequisites, and runs the bot.</summary>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        RootCommand root = Create(output, error, environment);
        ParseResult parse = root.Parse(args);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
    }

    /// <summary>The root command; its options are what <c>--help</c> lists.</summary>
    public static RootCommand Create(TextWriter output, TextWriter error, Func<string, string?> environment)
    {
        var scripted = new Option<bool>("--scripted") { Description = "Run the scripted, headless conversation and write avatar.mp4, contact-sheet.png and transcript.txt." };
        var port = new Option<int>("--port") { Description = "The playground's port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 8765 };
        var output_ = new Option<string>("--output") { Description = "Directory for avatar.mp4, contact-sheet.png and transcript.txt.", DefaultValueFactory = _ => "avatar-output" };
        var turns = new Option<int?>("--turns") { Description = "How many of the scripted user turns to play (default: all three)." };
        var engines = new Option<EngineChoice>("--engines") { Description = "auto: OpenAI when OPENAI_API_KEY is set, local otherwise; local: offline engines; openai: OpenAI (needs OPENAI_API_KEY).", DefaultValueFactory = _ => EngineChoice.Auto };
        var llmModel = new Option<string>("--llm-model") { Description = "OpenAI chat model.", DefaultValueFactory = _ => "gpt-4o-mini" };
        var sttModel = new Option<string>("--stt-model") { Description = "OpenAI speech-to-text model.", DefaultValueFactory = _ => "gpt-4o-mini-transcribe" };
        var ttsModel = new Option<string>("--tts-model") { Description = "OpenAI text-to-speech model.", DefaultValueFactory = _ => "gpt-4o-mini-tts" };
        var ttsVoice = new Option<string>("--tts-voice") { Description = "OpenAI text-to-speech voice.", DefaultValueFactory = _ => "alloy" };
        var apiKey = new Option<string?>("--api-key") { Description = "Avatar API key (LiveAvatar; with --interactive a HeyGen key; with --avatar bey a Beyond Presence key). Default: LIVEAVATAR_API_KEY, else HEYGEN_API_KEY (BEY_API_KEY with --avatar bey); none: the offline emulator. Prefer the environment: a key on the command line lands in shell history." };
        var avatarProvider = new Option<AvatarProvider>("--avatar") { Description = "The avatar provider: heygen, or bey (Beyond Presence, a LiveKit avatar worker: in your LiveKit room, or offline with --scripted).", DefaultValueFactory = _ => AvatarProvider.HeyGen };
        var liveAvatar = new Option<bool>("--live-avatar") { Description = "Use the LiveAvatar API (HeyGen's current product; the default)." };
        var interactive = new Option<bool>("--interactive") { Description = "Use the Interactive Avatar streaming API (being replaced by LiveAvatar)." };
        var avatarId = new Option<string?>("--avatar-id") { Description = "Avatar to use (default: the provider's; LiveAvatar: its sandbox avatar)." };
        var size = new Option<string>("--size") { Description = "Emulated avatar video size, WIDTHxHEIGHT, even numbers.", DefaultValueFactory = _ => "640x360" };
        var fps = new Option<double>("--fps") { Description = "Emulated avatar frame rate.", DefaultValueFactory = _ => 25 };
        var livekit = new Option<bool>("--livekit") { Description = "Run in your LiveKit room (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET; needs LIVEAVATAR_API_KEY)." };
        var room = new Option<string>("--room") { Description = "The LiveKit room of --livekit and --avatar bey.", DefaultValueFactory = _ => LiveKitRoomSettings.DefaultRoom };
        var verbose = new Option<bool>("--verbose") { Description = "Log the pipeline at debug level (secrets are redacted)." };

        var root = new RootCommand(Description)
        {
            scripted, livekit, avatarProvider, room, port, output_, turns, engines, llmModel, sttModel, ttsModel, ttsVoice, apiKey, liveAvatar, interactive, avatarId, size, fps, verbose,
        };

        root.SetAction(async (parse, cancellationToken) =>
        {
            string[] dims = parse.GetValue(size)!.Split('x', 'X');
            if (dims.Length != 2 || !int.TryParse(dims[0], out int width) || !int.TryParse(dims[1], out int height)
                || width < 16 || height < 16 || width % 2 != 0 || height % 2 != 0)
            {
                await error.WriteLineAsync("--size must look like 640x360: even numbers, at least 16 (H.264 halves the colour planes).");
                return 2;
            }

            double frameRate = parse.GetValue(fps);
            if (frameRate is < 1 or > 60)
            {
                await error.WriteLineAsync("--fps must be 1 to 60.");
                return 2;
            }

            if (parse.GetValue(port) is < 0 or > 65535)
            {
                await error.WriteLineAsync("--port must be 0 to 65535.");
                return 2;
            }

            if (parse.GetValue(turns) is < 1)
            {
                await error.WriteLineAsync("--turns must be at least 1.");
                return 2;
            }

            AvatarProvider provider = parse.GetValue(avatarProvider);
            if (provider == AvatarProvider.Bey && (parse.GetValue(interactive) || parse.GetValue(liveAvatar)))
            {
                await error.WriteLineAsync("--interactive and --live-avatar choose a HeyGen product; they do not go with --avatar bey.");
                return 2;
            }

            ProductChoice product;
            try
            {
                product = ProductChoice.Decide(parse.GetValue(apiKey), parse.GetValue(interactive), parse.GetValue(liveAvatar), environment);
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync(e.Message);
                return 2;
            }

            if (parse.GetValue(scripted) && parse.GetValue(livekit))
            {
                await error.WriteLineAsync("Choose one mode: --scripted or --livekit (or neither, for the browser playground).");
                return 2;
            }

            // A LiveKit avatar worker lives in a LiveKit room: without --scripted, --avatar bey is the LiveKit mode.
            InputMode mode = parse.GetValue(scripted) ? InputMode.Scripted
                : parse.GetValue(livekit) || provider == AvatarProvider.Bey ? InputMode.LiveKit : InputMode.Playground;
            BeyondPresenceSettings? bey = provider == AvatarProvider.Bey ? BeyondPresenceSettings.FromEnvironment(parse.GetValue(apiKey), environment) : null;
            bool needsRoom = mode == InputMode.LiveKit || bey?.ApiKey is not null; // offline, the loopback SFU is the room
            string? openAIKey = environment(BotOptions.OpenAIKeyVariable);
            var options = new BotOptions
            {
                Mode = mode,
                Provider = provider,
                Bey = bey,
                LiveKit = needsRoom ? LiveKitRoomSettings.FromEnvironment(environment, parse.GetValue(room)) : null,
                Port = parse.GetValue(port),
                Engines = parse.GetValue(engines),
                OpenAIKey = string.IsNullOrWhiteSpace(openAIKey) ? null : openAIKey,
                LlmModel = parse.GetValue(llmModel)!,
                SttModel = parse.GetValue(sttModel)!,
                TtsModel = parse.GetValue(ttsModel)!,
                TtsVoice = parse.GetValue(ttsVoice)!,
                Avatar = product,
                AvatarId = parse.GetValue(avatarId),
                OutputDirectory = Path.GetFullPath(parse.GetValue(output_)!),
                Turns = parse.GetValue(turns),
                Width = width,
                Height = height,
                FrameRate = frameRate,
                LogLevel = parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning,
            };

            IReadOnlyList<string> problems = Preflight.Check(options, Preflight.FindOnPath, environment);
            if (problems.Count > 0)
            {
                await error.WriteLineAsync($"Cannot start: {problems.Count} missing piece(s); nothing was opened.");
                foreach (string problem in problems)
                {
                    await error.WriteLineAsync($"  - {problem}");
                }

                return 2;
            }

            if (options.Mode == InputMode.Playground)
            {
                return await PlaygroundRun.RunAsync(options, output, cancellationToken);
            }

            if (options.Mode == InputMode.LiveKit)
            {
                return await LiveKitRun.RunAsync(options, output, cancellationToken);
            }

            ScriptedRunResult result = await ScriptedRun.RunAsync(options, output, cancellationToken);
            return result.ExitCode;
        });

        return root;
    }
}
