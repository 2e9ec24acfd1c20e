// Browser round trip on loopback, measured whole-process (documented in benchmarks/README.md):
//   mic → server: the page stamps each 20 ms microphone chunk with its wall clock as it sends it; the pipeline's first
//                 processor after the transport input measures now - stamp.
//   frame → drawn: the server stamps each video frame as it reaches the output transport; the page measures when the
//                 JPEG arrived (transit) and when it was drawn (drawn: includes the page's 100 ms jitter buffer, which
//                 keeps video on the audio's timeline).
// Usage: dotnet run -c Release --project benchmarks/PlaygroundRoundTrip -- [seconds=15] [chromium=/usr/bin/chromium]
using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Playwright;
using Pipeline.Core.Pipelines;
using Pipeline.WebSocket;
using PlaygroundRoundTrip;

int seconds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 15;
string chromium = args.Length > 1 ? args[1] : "/usr/bin/chromium";
string wav = Path.Combine(Path.GetTempPath(), $"round-trip-mic-{Environment.ProcessId}.wav");
await File.WriteAllBytesAsync(wav, ToneWav(16_000, TimeSpan.FromSeconds(2)));

await using var transport = new WebSocketTransport(new WebSocketTransportOptions { DisconnectPolicy = ClientDisconnectPolicy.WaitForReconnect });
var source = new AvatarLikeSource();
await using var task = new PipelineTask(new FramePipeline(transport.Input(), source, transport.Output()), new PipelineTaskOptions { IdleTimeout = null });
using var stop = new CancellationTokenSource();
Task<PipelineFinishReason> run = task.RunAsync(stop.Token);
Uri page = await transport.StartAsync();

Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
using IPlaywright playwright = await Playwright.CreateAsync();
await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = chromium,
    Headless = true,
    Args = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", $"--use-file-for-fake-audio-capture={wav}",
        "--autoplay-policy=no-user-gesture-required", "--no-sandbox"],
});
IPage tab = await browser.NewPageAsync();
await tab.GotoAsync(page.ToString());
await tab.ClickAsync("#connect");
await tab.WaitForFunctionAsync("() => window.playground.stats.connected");
Console.WriteLine($"connected to {page}; measuring for {seconds} s");
await tab.WaitForTimeoutAsync(seconds * 1000); // a measurement window, not a wait for a condition
string statsJson = await tab.EvaluateAsync<string>("() => JSON.stringify(window.playground.stats)");
await tab.ClickAsync("#connect");

stop.Cancel();
try
{
    await run;
}
catch (OperationCanceledException)
{
    // The measurement ends by cancelling the run.
}

File.Delete(wav);
using JsonDocument stats = JsonDocument.Parse(statsJson);
double[] transit = [.. stats.RootElement.GetProperty("frameTransitMs").EnumerateArray().Select(e => e.GetDouble())];
double[] drawn = [.. stats.RootElement.GetProperty("frameLatenciesMs").EnumerateArray().Select(e => e.GetDouble())];
Report("mic chunk sent by the page -> pipeline", [.. source.MicDelaysMs]);
Report("frame at output transport -> JPEG at the page", transit);
Report("frame at output transport -> drawn on the canvas", drawn);
Console.WriteLine($"frames drawn {stats.RootElement.GetProperty("framesDrawn").GetInt32()} of {stats.RootElement.GetProperty("framesReceived").GetInt32()} received; " +
    $"audio chunks played {stats.RootElement.GetProperty("audioChunksPlayed").GetInt32()}; sent video frames {transport.Output().SentVideoFrames}");

static void Report(string what, double[] ms)
{
    if (ms.Length == 0)
    {
        Console.WriteLine($"{what}: no samples");
        return;
    }

    Array.Sort(ms);
    double Pct(double p) => ms[Math.Min(ms.Length - 1, (int)Math.Ceiling(p * ms.Length) - 1)];
    Console.WriteLine(System.FormattableString.Invariant($"{what}: n={ms.Length} median {Pct(0.5):0.0} ms, p95 {Pct(0.95):0.0} ms, max {ms[^1]:0.0} ms"));
}

static byte[] ToneWav(int rate, TimeSpan duration)
{
    int samples = (int)(rate * duration.TotalSeconds);
    byte[] file = new byte[44 + (samples * 2)];
    "RIFF"u8.CopyTo(file);
    BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(4), 36 + (samples * 2));
    "WAVEfmt "u8.CopyTo(file.AsSpan(8));
    BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), 16);
    BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(20), 1);
    BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(22), 1);
    BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(24), rate);
    BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(28), rate * 2);
    BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(32), 2);
    BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(34), 16);
    "data"u8.CopyTo(file.AsSpan(36));
    BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(40), samples * 2);
    for (int i = 0; i < samples; i++)
    {
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(44 + (i * 2)), (short)(6000 * Math.Sin(2 * Math.PI * 300 * i / rate)));
    }

    return file;
}
