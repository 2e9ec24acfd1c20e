using System.Diagnostics;
using Pipeline.HeyGen.Emulator;

namespace Pipeline.Benchmarks.HeyGen.SessionsPerCore;

/// <summary>
/// The emulator in a process of its own (this executable with <c>--emulator-host</c>), so that the bot process's CPU
/// time is the bot's alone. Only for direct-room mode: relay mode joins the emulator's rooms in-process.
/// </summary>
internal sealed class EmulatorProcess : IAsyncDisposable
{
    private const string Ready = "EMULATOR ";
    private readonly Process _process;

    private EmulatorProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The child's CPU time so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<EmulatorProcess> StartAsync()
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path to start the emulator host from.");
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(EmulatorProcess).Assembly.Location);
        }

        start.ArgumentList.Add("--emulator-host");
        Process process = Process.Start(start) ?? throw new InvalidOperationException("The emulator host did not start.");
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(Ready, StringComparison.Ordinal))
            {
                return new EmulatorProcess(process, new Uri(line[Ready.Length..]));
            }
        }

        throw new InvalidOperationException($"The emulator host exited ({process.ExitCode}) before it was ready.");
    }

    /// <summary>The child's side: serves an emulator until its standard input closes.</summary>
    public static async Task<int> HostAsync()
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        Console.WriteLine(Ready + emulator.BaseAddress);
        await Console.In.ReadToEndAsync();
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
