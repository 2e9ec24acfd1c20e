using System.Diagnostics;
using HeyGenAvatarBot.Output;
using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Metrics;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Emulator.Media;
using Pipeline.HeyGen.Video;
using Pipeline.LiveKit;

namespace HeyGenAvatarBot;

/// <summary>What to run: offline against the emulator (no key) or against HeyGen.</summary>
internal sealed record AvatarBotSettings
{
    public string? ApiKey { get; init; }

    public bool LiveAvatar { get; init; }

    public string? AvatarId { get; init; }

    public required string OutputDirectory { get; init; }

    public int Sentences { get; init; } = 3;

    public int Width { get; init; } = 640;

    public int Height { get; init; } = 360;

    public double FrameRate { get; init; } = 25;

    public string AssetsDirectory { get; init; } = Path.Combine(AppContext.BaseDirectory, "Assets");

    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
}

/// <summary>What a run produced.</summary>
internal sealed record AvatarBotResult(
    PipelineFinishReason Reason,
    int VideoFrames,
    TimeSpan AudioDuration,
    string VideoPath,
    string AudioPath,
    string? Mp4Path,
    string? ContactSheetPath,
    int SessionsOpened,
    int SessionsStillOpen);

/// <summary>
/// The example bot: recorded sentences (standing in for TTS) → <see cref="HeyGenVideoService"/> → files. Offline it
/// runs against the in-process HeyGen emulator; with an API key, against HeyGen and its LiveKit room.
/// </summary>
internal static class AvatarBot
{
    public static async Task<AvatarBotResult> RunAsync(AvatarBotSettings settings, TextWriter console, CancellationToken cancellationToken)
    {
        using ILoggerFactory loggerFactory = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .SetMinimumLevel(settings.LogLevel));
        List<SpeechClip> clips = SpeechClip.LoadAll(settings.AssetsDirectory).Take(settings.Sentences).ToList();
        Directory.CreateDirectory(settings.OutputDirectory);

        await using HeyGenEmulator? emulator = settings.ApiKey is null
            ? await HeyGenEmulator.StartAsync(new HeyGenEmulatorOptions
            {
                LoggerFactory = loggerFactory,
                Avatar = new EmulatedAvatarOptions { Width = settings.Width, Height = settings.Height, FrameRate = settings.FrameRate },
            }, cancellationToken)
            : null;

        using BaseAvatarApi api = CreateApi(settings, emulator, loggerFactory);
        IAvatarMediaConnector connector = emulator is not null
            ? emulator.MediaConnector
            : new LiveKitAvatarMediaConnector(loggerFactory);

        console.WriteLine(emulator is not null
            ? $"Offline: HeyGen emulator at {emulator.BaseAddress} ({(settings.LiveAvatar ? "LiveAvatar" : "Interactive Avatar")} API)."
            : $"Live: {(settings.LiveAvatar ? "LiveAvatar" : "HeyGen Interactive Avatar")} API with its LiveKit room.");

        var speech = new WavSpeechSource(clips);
        var avatar = new HeyGenVideoService(api, connector, new HeyGenVideoServiceOptions
        {
            SessionRequest = CreateSessionRequest(settings, emulator),
        });
        var sink = new MediaFileSink(settings.OutputDirectory, settings.FrameRate);
        var task = new PipelineTask(
            new FramePipeline(speech, avatar, sink),
            new PipelineTaskOptions { EnableMetrics = true, AudioOutSampleRate = 24_000 },
            loggerFactory);

        var progress = new ProgressReport(console, clips.Count);
        speech.ClipStarted += progress.OnClipStarted;
        sink.VideoFrameWritten += progress.OnVideoFrame;
        task.FrameReachedEnd += (_, frame) => progress.OnFrame(frame);
        task.ErrorReceived += (_, error) => console.WriteLine($"  ! {error.ProcessorName}: {error.Message}");

        await task.QueueFramesAsync(clips.Select(c => (Frame)new TextFrame(c.Text)), cancellationToken);
        await task.QueueFrameAsync(new EndFrame(), cancellationToken);

        PipelineFinishReason reason;
        using (progress.StartTicker())
        {
            try
            {
                reason = await task.RunAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                reason = PipelineFinishReason.Cancelled;
                console.WriteLine("Cancelled: the session was closed and the files were finalized.");
            }
        }

        string? contactSheet = Path.Combine(settings.OutputDirectory, "contact-sheet.png");
        if (!sink.Sheet.Save(contactSheet))
        {
            contactSheet = null;
        }

        string? mp4 = sink.VideoFrames > 0 ? await TryMakeMp4Async(sink, settings.OutputDirectory, cancellationToken) : null;
        int opened = emulator?.Sessions.All.Count ?? (avatar.SessionId is null ? 0 : 1);
        int stillOpen = emulator?.Sessions.Open.Count ?? 0;
        var result = new AvatarBotResult(reason, sink.VideoFrames, sink.AudioDuration, sink.VideoPath, sink.AudioPath, mp4, contactSheet, opened, stillOpen);
        PrintSummary(console, result, sink, progress, settings.FrameRate);
        return result;
    }

    private static BaseAvatarApi CreateApi(AvatarBotSettings settings, HeyGenEmulator? emulator, ILoggerFactory loggerFactory)
    {
        if (settings.LiveAvatar)
        {
            var options = new LiveAvatarApiOptions { ApiKey = emulator?.LiveAvatarApiKey ?? settings.ApiKey! };
            if (emulator is not null)
            {
                options.BaseUrl = emulator.LiveAvatarApiBaseUrl;
            }

            return new LiveAvatarApi(options, loggerFactory);
        }

        var heygen = new HeyGenApiOptions { ApiKey = emulator?.ApiKey ?? settings.ApiKey! };
        if (emulator is not null)
        {
            heygen.BaseUrl = emulator.StreamingApiBaseUrl;
        }

        return new HeyGenApi(heygen, loggerFactory);
    }

    private static AvatarSessionRequest CreateSessionRequest(AvatarBotSettings settings, HeyGenEmulator? emulator) =>
        settings.LiveAvatar
            ? new LiveAvatarNewSessionRequest
            {
                AvatarId = settings.AvatarId ?? LiveAvatarNewSessionRequest.SandboxAvatarId,
                IsSandbox = emulator is null && settings.AvatarId is null,
            }
            : new NewSessionRequest { AvatarId = settings.AvatarId, Quality = AvatarQuality.Medium };

    private static async Task<string?> TryMakeMp4Async(MediaFileSink sink, string directory, CancellationToken cancellationToken)
    {
        string mp4 = Path.Combine(directory, "avatar.mp4");
        try
        {
            var start = new ProcessStartInfo("ffmpeg")
            {
                ArgumentList = { "-y", "-loglevel", "error", "-i", sink.VideoPath, "-i", sink.AudioPath, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", mp4 },
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using Process? ffmpeg = Process.Start(start);
            if (ffmpeg is null)
            {
                return null;
            }

            await ffmpeg.WaitForExitAsync(cancellationToken);
            return ffmpeg.ExitCode == 0 ? mp4 : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no ffmpeg on PATH: the Y4M + WAV pair is the output
        }
    }

    private static string Ms(TimeSpan? value) =>
        value?.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    private static void PrintSummary(TextWriter console, AvatarBotResult result, MediaFileSink sink, ProgressReport progress, double frameRate)
    {
        TimeSpan videoDuration = TimeSpan.FromSeconds(result.VideoFrames / frameRate);
        TimeSpan drift = videoDuration - result.AudioDuration;
        console.WriteLine();
        console.WriteLine($"Finished: {result.Reason}.");
        console.WriteLine($"  video : {result.VideoFrames} frames {sink.FrameWidth}x{sink.FrameHeight}, {videoDuration.TotalSeconds:F2} s at {frameRate:G} fps");
        console.WriteLine($"  audio : {result.AudioDuration.TotalSeconds:F2} s of avatar speech track");
        console.WriteLine($"  A/V drift: {drift.TotalMilliseconds:F0} ms; the avatar started talking {Ms(progress.FirstFrameLatency)} ms after the first TTS audio (TTFB metric {Ms(progress.Ttfb)} ms)");
        console.WriteLine($"  sessions: {result.SessionsOpened} opened, {result.SessionsOpened - result.SessionsStillOpen} closed");
        console.WriteLine("Output:");
        console.WriteLine($"  {result.Mp4Path ?? result.VideoPath}{(result.Mp4Path is null ? $"  (+ {result.AudioPath}; install ffmpeg for an MP4)" : string.Empty)}");
        if (result.ContactSheetPath is not null)
        {
            console.WriteLine($"  {result.ContactSheetPath}");
        }
    }
}

/// <summary>Prints what the bot is doing once a second, and keeps the figures for the summary.</summary>
internal sealed class ProgressReport(TextWriter console, int sentences)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _videoFrames;
    private string _tts = "starting";
    private string _avatar = "connecting";
    private TimeSpan? _clipStartedAt;

    public TimeSpan? FirstFrameLatency { get; private set; }

    public TimeSpan? Ttfb { get; private set; }

    public void OnClipStarted(SpeechClip clip)
    {
        _tts = $"tts sentence {clip.Number}/{sentences}: \"{(clip.Text.Length > 40 ? clip.Text[..40] + "…" : clip.Text)}\"";
        _clipStartedAt ??= _clock.Elapsed;
    }

    public void OnVideoFrame(OutputImageRawFrame frame)
    {
        Interlocked.Increment(ref _videoFrames);
    }

    public void OnFrame(Frame frame)
    {
        switch (frame)
        {
            case BotStartedSpeakingFrame:
                _avatar = "talking";
                if (FirstFrameLatency is null && _clipStartedAt is { } started)
                {
                    FirstFrameLatency = _clock.Elapsed - started;
                }

                break;
            case MetricsFrame metrics:
                Ttfb ??= metrics.Data.OfType<TtfbMetricsData>().FirstOrDefault()?.Value;
                break;
            case BotStoppedSpeakingFrame:
                _avatar = "idle";
                break;
            default:
                break;
        }
    }

    public IDisposable StartTicker()
    {
        int lastFrames = 0;
        return new Timer(_ =>
        {
            int frames = Volatile.Read(ref _videoFrames);
            console.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:F1} s] avatar {_avatar,-7} | video {frames,4} frames ({frames - lastFrames,2} fps) | {_tts}");
            lastFrames = frames;
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }
}
