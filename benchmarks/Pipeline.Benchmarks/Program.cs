using System.Globalization;
using BenchmarkDotNet.Running;
using Pipeline.Benchmarks.LiveKit;

// ./build.sh bench                                  -> choose interactively
// ./build.sh bench --filter '*PipelineThroughput*'  -> one class (any BenchmarkDotNet argument works)
// ./build.sh bench --filter '*' --job dry --inProcess -> the seconds-long smoke pass ./build.sh test runs
// ./build.sh bench --cpu-loopback [streams] [seconds] -> CPU per local 720p30 LiveKit stream (needs the native engine)
// ./build.sh bench --voice-latency [runs]             -> offline voice-to-avatar latency split by stage (real engines)
// ./build.sh bench --sessions-per-core [direct] [relay] [seconds] -> CPU per avatar session, direct-room vs relay
if (args.Length > 0 && args[0] == "--cpu-loopback")
{
    int streams = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
    int seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
    Console.WriteLine(await StreamCpuProbe.LoopbackAsync(streams, TimeSpan.FromSeconds(seconds)));
    return 0;
}

if (args.Length > 0 && args[0] == "--voice-latency")
{
    int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
    Console.WriteLine(await Pipeline.Benchmarks.Speech.VoiceLatency.VoiceToAvatarLatency.RunAsync(runs));
    return 0;
}

if (args.Length > 0 && args[0] == "--sessions-per-core")
{
    int direct = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
    int relay = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
    int seconds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
    Console.WriteLine(await Pipeline.Benchmarks.HeyGen.SessionsPerCore.SessionsPerCoreProbe.RunAsync(direct, relay, TimeSpan.FromSeconds(seconds)));
    return 0;
}

if (args.Length > 0 && args[0] == "--emulator-host")
{
    return await Pipeline.Benchmarks.HeyGen.SessionsPerCore.EmulatorProcess.HostAsync(); // the child of --sessions-per-core
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
// A benchmark that threw, or a config that failed validation, fails the run: ./build.sh test's smoke pass relies on it.
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
