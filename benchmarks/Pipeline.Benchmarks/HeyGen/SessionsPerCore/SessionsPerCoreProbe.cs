using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pipeline.Core.Media;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Video;

namespace Pipeline.Benchmarks.HeyGen.SessionsPerCore;

/// <summary>
/// Avatar sessions per core, relay vs direct-room (<c>./build.sh bench --sessions-per-core</c>): N LiveAvatar LITE
/// sessions against the emulator, each speaking in real time (<see cref="SpeakingSession"/>), and the CPU time this
/// process spends per session-second while they do (process CPU time over wall time, divided by N).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>direct-room</b> (<see cref="AvatarMediaMode.DirectRoom"/>, <c>livekit_config</c>): REST, the realtime
/// websocket and the pipeline; the emulator runs in a child process, so the figure is the bot's alone (the child's CPU
/// is reported beside it).</item>
/// <item><b>relay</b>: the same plus the avatar's media through the pipeline (640x360 RGB at 25 fps and 48 kHz audio,
/// the emulator's defaults). The emulator's room is in-process, so its rendering of the frames is in the figure: it
/// stands in for the VP8 decode a real room costs (a remote 720p30 stream: 39-46 % of a core, benchmarks/README.md).</item>
/// </list>
/// </remarks>
internal static class SessionsPerCoreProbe
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    public static async Task<string> RunAsync(int directSessions, int relaySessions, TimeSpan window)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Avatar sessions per core ({Environment.ProcessorCount} cores; each session speaks {SpeakingSession.Utterance.TotalSeconds:F0} s, pauses {SpeakingSession.Pause.TotalSeconds:F0} s; {window.TotalSeconds:F0} s measured after {WarmUp.TotalSeconds:F0} s warm-up)");
        report.AppendLine("| mode | sessions | bot CPU / wall | CPU ms per session-second | sessions per core | emulator CPU / wall | speech sent / real time | utterances started | media frames / session-s |");
        report.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        if (directSessions > 0)
        {
            await using EmulatorProcess emulator = await EmulatorProcess.StartAsync();
            report.AppendLine(await MeasureAsync("direct-room", directSessions, window, emulator.BaseAddress, relay: null, () => emulator.CpuTime));
        }

        if (relaySessions > 0)
        {
            await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
            report.AppendLine(await MeasureAsync("relay", relaySessions, window, emulator.BaseAddress, emulator.MediaConnector, emulatorCpu: null));
        }

        return report.ToString();
    }

    private static async Task<string> MeasureAsync(
        string mode, int count, TimeSpan window, Uri emulator, IAvatarMediaConnector? relay, Func<TimeSpan>? emulatorCpu)
    {
        using var api = new LiveAvatarApi(new LiveAvatarApiOptions { ApiKey = new HeyGenEmulatorOptions().LiveAvatarApiKey, BaseUrl = new Uri(emulator, "v1") });
        var sessions = new List<SpeakingSession>();
        try
        {
            // Opened a few at a time, as sessions arrive in a real service.
            for (int i = 0; i < count; i += 10)
            {
                SpeakingSession[] batch = await Task.WhenAll(Enumerable.Range(i, Math.Min(10, count - i)).Select(n => SpeakingSession.OpenAsync(api, relay, Options(relay is null, n))));
                sessions.AddRange(batch);
            }

            TimeSpan cycle = SpeakingSession.Utterance + SpeakingSession.Pause;
            for (int i = 0; i < sessions.Count; i++)
            {
                sessions[i].StartSpeaking(cycle * i / sessions.Count);
            }

            await Task.Delay(WarmUp);
            using var self = Process.GetCurrentProcess();
            long utterancesBefore = sessions.Sum(s => s.Utterances), mediaBefore = sessions.Sum(s => s.MediaFrames), speechBefore = sessions.Sum(s => s.Service.SpeechBytesSent);
            TimeSpan cpuBefore = self.TotalProcessorTime, childBefore = emulatorCpu?.Invoke() ?? TimeSpan.Zero;
            var wall = Stopwatch.StartNew();
            await Task.Delay(window);
            self.Refresh();
            double seconds = wall.Elapsed.TotalSeconds;
            double cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
            double child = ((emulatorCpu?.Invoke() ?? TimeSpan.Zero) - childBefore).TotalSeconds;
            long utterances = sessions.Sum(s => s.Utterances) - utterancesBefore;
            long media = sessions.Sum(s => s.MediaFrames) - mediaBefore;
            // Speech handed to the avatars over the speech the TTS stand-ins produced in the window (3 s of every 4).
            double speech = (sessions.Sum(s => s.Service.SpeechBytesSent) - speechBefore) / (24_000.0 * 2) / (count * seconds * SpeakingSession.Utterance / cycle);
            int failed = sessions.Count(s => s.Failed);
            double perSessionSecond = cpu / (count * seconds);
            double expectedUtterances = count * seconds / cycle.TotalSeconds;
            return string.Create(CultureInfo.InvariantCulture,
                $"| {mode} | {count}{(failed > 0 ? $" ({failed} failed)" : "")} | {cpu / seconds:P0} | {perSessionSecond * 1000:F2} | **{1 / perSessionSecond:F0}** | " +
                $"{(emulatorCpu is null ? "in the bot's figure" : (child / seconds).ToString("P0", CultureInfo.InvariantCulture))} | " +
                $"{speech:P0} | {utterances} of ~{expectedUtterances:F0} | {media / (count * seconds):F0} |");
        }
        finally
        {
            await Task.WhenAll(sessions.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    private static HeyGenVideoServiceOptions Options(bool direct, int n) => new()
    {
        MediaMode = direct ? AvatarMediaMode.DirectRoom : AvatarMediaMode.Relay,
        EndDrainTimeout = TimeSpan.Zero,
        SessionRequest = new LiveAvatarNewSessionRequest
        {
            AvatarId = "bench-avatar",
            Mode = LiveAvatarMode.Lite,
            LiveKitConfig = direct
                ? new CustomLiveKitConfig { LiveKitUrl = "wss://rooms.example.test", LiveKitRoom = $"room-{n}", LiveKitClientToken = $"avatar-token-for-room-{n}" }
                : null,
        },
    };
}
