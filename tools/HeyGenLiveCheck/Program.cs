using System.Globalization;
using HeyGenLiveCheck;
using Microsoft.Extensions.Logging;

const string Usage = """
    HeyGen live conformance check: opens one session, speaks, interrupts, idles past a keep-alive, closes, stops again,
    and prints what the service did (the keys docs/heygen-protocol.md refers to).

    Usage: ./build.sh check-live [--emulator | --liveavatar | --interactive] [--keep-alive SECONDS] [--idle SECONDS]

      --emulator       the in-repo emulator (default when no key is set): offline, free
      --liveavatar     LiveAvatar sandbox mode with LIVEAVATAR_API_KEY (default when that key is set): free, ~1 minute
      --interactive    Interactive Avatar with HEYGEN_API_KEY: BILLED, a short session (30 s idle timeout)
      --keep-alive S   keep-alive interval in seconds (default: a third of the idle timeout; 1 s on the emulator)
      --idle S         the session's idle timeout in seconds (default 30)
      --help           this text

    The session is always closed, also on Ctrl+C or a failure (bounded by 10 s). Exit code 0 when every step ran.
    """;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(Usage);
    return 0;
}

var liveAvatarKey = Environment.GetEnvironmentVariable("LIVEAVATAR_API_KEY");
var heygenKey = Environment.GetEnvironmentVariable("HEYGEN_API_KEY");
LiveCheckTarget target = args.Contains("--emulator") ? LiveCheckTarget.Emulator
    : args.Contains("--liveavatar") ? LiveCheckTarget.LiveAvatar
    : args.Contains("--interactive") ? LiveCheckTarget.InteractiveAvatar
    : !string.IsNullOrWhiteSpace(liveAvatarKey) ? LiveCheckTarget.LiveAvatar
    : !string.IsNullOrWhiteSpace(heygenKey) ? LiveCheckTarget.InteractiveAvatar
    : LiveCheckTarget.Emulator;
var key = target switch
{
    LiveCheckTarget.LiveAvatar => liveAvatarKey,
    LiveCheckTarget.InteractiveAvatar => heygenKey,
    _ => null,
};
if (target != LiveCheckTarget.Emulator && string.IsNullOrWhiteSpace(key))
{
    Console.Error.WriteLine($"check-live: {(target == LiveCheckTarget.LiveAvatar ? "LIVEAVATAR_API_KEY" : "HEYGEN_API_KEY")} is not set; set it, or run with --emulator.");
    return 2;
}

if (target == LiveCheckTarget.InteractiveAvatar)
{
    Console.Error.WriteLine("check-live: WARNING: the Interactive Avatar API bills this session (a short one). LiveAvatar's sandbox (LIVEAVATAR_API_KEY) is free.");
}

var options = new LiveCheckOptions
{
    Target = target,
    ApiKey = key,
    IdleTimeout = TimeSpan.FromSeconds(Seconds("--idle") ?? 30),
    KeepAliveInterval = Seconds("--keep-alive") is { } k ? TimeSpan.FromSeconds(k)
        : target == LiveCheckTarget.Emulator ? TimeSpan.FromSeconds(1) : null,
};

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let the run close its session
    cancel.Cancel();
};
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
return await LiveCheck.RunAsync(options, new LiveCheckReport(Console.Out), loggerFactory, cancel.Token);

double? Seconds(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : null;
}
