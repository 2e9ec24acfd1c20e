using Microsoft.Extensions.DependencyInjection;
using Pipeline.Core.Avatars;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Processors;
using Pipeline.Testing;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.LiveKit;

// A package consumer, run by PackageConsumerTests: `Consumer plain` uses the packages directly, `Consumer di` through
// Microsoft.Extensions.DependencyInjection. One line per check; any failed check exits non-zero.
string mode = args.Length > 0 ? args[0] : "plain";
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

// LiveKit's engine comes from the Pipeline.LiveKit.Native.linux-x64 package: loaded, and one native call (a video
// source is a native handle) that needs no server.
LiveKitRuntime.Initialize();
long before = LiveKitRuntime.OutstandingHandles;
using (var source = new VideoSource(64, 48))
{
    Check(LiveKitRuntime.OutstandingHandles == before + 1, "engine: a VideoSource holds one native handle");
}

Check(LiveKitRuntime.OutstandingHandles == before, "engine: the handle is released on dispose");
string engine = File.ReadLines("/proc/self/maps")
    .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
    .Where(parts => parts.Length == 6 && parts[5].EndsWith("rtc-node.linux-x64-gnu.node", StringComparison.Ordinal))
    .Select(parts => parts[5].Trim())
    .First();
Console.WriteLine($"engine-path: {engine}");
Console.WriteLine($"native-search-directories: {AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES")}");

// Core: a processor runs.
FrameProcessorTestResult result = await FrameProcessorTester.RunAsync(new Shouter(), [new TextFrame("hi")]);
Check(result.Downstream.OfType<TextFrame>().Single().Text == "HI", "core: a processor ran");

// HeyGen's REST client against the emulator: a session opened and closed.
await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync(cancellationToken: timeout.Token);
if (mode == "di")
{
    var services = new ServiceCollection();
    services.AddLogging();
    services.AddHeyGenApi(o =>
    {
        o.ApiKey = emulator.ApiKey;
        o.BaseUrl = emulator.StreamingApiBaseUrl;
    });
    services.AddLiveKitAvatarMedia();
    services.AddHeyGenVideoService();
    await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    Check(provider.GetRequiredService<IAvatarMediaConnector>() is LiveKitAvatarMediaConnector, "di: the LiveKit media connector is registered");
    await using (AvatarVideoService avatar = provider.GetRequiredService<IAvatarServiceFactory>().Create("consumer-avatar"))
    {
        Check(avatar.Name == "consumer-avatar", "di: the avatar service factory creates a per-pipeline service");
    }
    await OpenAndCloseAsync(provider.GetRequiredService<HeyGenApi>(), "di");
}
else
{
    using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
    await OpenAndCloseAsync(api, "plain");
}

Console.WriteLine($"consumer {mode}: all checks passed");
return 0;

async Task OpenAndCloseAsync(HeyGenApi api, string label)
{
    StandardSessionResponse session = await api.NewSessionAsync(new NewSessionRequest(), timeout.Token);
    await api.CloseSessionAsync(session.SessionId, timeout.Token);
    Check(!string.IsNullOrEmpty(session.SessionId), $"{label}: a HeyGen session was opened and closed on the emulator");
}

static void Check(bool condition, string what)
{
    if (!condition)
    {
        Console.WriteLine($"FAILED: {what}");
        Environment.Exit(1);
    }

    Console.WriteLine($"ok: {what}");
}

sealed class Shouter : FrameProcessor
{
    protected override ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken) =>
        frame is TextFrame text
            ? PushFrameAsync(new TextFrame(text.Text.ToUpperInvariant()), direction, cancellationToken)
            : PushFrameAsync(frame, direction, cancellationToken);
}
