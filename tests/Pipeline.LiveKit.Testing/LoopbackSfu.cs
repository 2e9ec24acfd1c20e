using System.Diagnostics;

namespace Pipeline.LiveKit.Testing;

/// <summary>
/// Runs sfu/loopback_sfu.py (Debian's python3-aiortc) on 127.0.0.1 with OS-chosen ports: a stand-in LiveKit
/// server whose "avatar" publishes colour bars and a 440 Hz tone over real WebRTC, and which serves LiveKit's
/// RoomService (RemoveParticipant, ListParticipants) over Twirp JSON. It reads LiveKit access tokens (identity, name,
/// kind, attributes; verified when started with <c>--api-key K --api-secret S</c>) and the test shorthand
/// <c>identity:NAME</c>. The script's docstring lists its options and stdin commands.
/// </summary>
public sealed class LoopbackSfu : IAsyncDisposable
{
    private static readonly TimeSpan StartBudget = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly System.Text.StringBuilder _stderr = new();

    private LoopbackSfu(Process process, int port, int httpPort)
    {
        _process = process;
        Url = new Uri($"ws://127.0.0.1:{port}");
        RoomServiceUrl = new Uri($"http://127.0.0.1:{httpPort}");
    }

    /// <summary>The signal URL to connect rooms to (<c>ws://127.0.0.1:port</c>).</summary>
    public Uri Url { get; }

    /// <summary>Where LiveKit's RoomService is served (<c>http://127.0.0.1:port</c>; calls go to
    /// <c>/twirp/livekit.RoomService/&lt;Method&gt;</c>).</summary>
    public Uri RoomServiceUrl { get; }

    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The python that has aiortc: Debian's, unless PIPELINE_LIVEKIT_SFU_PYTHON names another.</summary>
    private static string Python => Environment.GetEnvironmentVariable("PIPELINE_LIVEKIT_SFU_PYTHON") ?? "/usr/bin/python3";

    public static async Task<LoopbackSfu> StartAsync(params string[] arguments)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "sfu", "loopback_sfu.py");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        using var timeout = new CancellationTokenSource(StartBudget);
        string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        string[] words = line?.Split(' ') ?? [];
        if (words is not ["LISTENING", _, "HTTP", _])
        {
            string errors = await process.StandardError.ReadToEndAsync(timeout.Token);
            process.Kill();
            throw new InvalidOperationException(
                $"The loopback SFU did not start ({line ?? "no output"}): {errors}. It needs Debian's python3-aiortc: run build/prereqs/20-livekit-native.sh.");
        }

        var sfu = new LoopbackSfu(
            process,
            int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(words[3], System.Globalization.CultureInfo.InvariantCulture));
        process.ErrorDataReceived += (_, e) =>
        {
            lock (sfu._stderr)
            {
                sfu._stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return sfu;
    }

    /// <summary>
    /// Sends a command ("join", "leave", "remove IDENTITY", "drop IDENTITY", "attributes IDENTITY {json}") and waits
    /// until the SFU has acted on it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The command names a participant that is not in the room.</exception>
    public async Task CommandAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string? line;
        do
        {
            line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line == "UNKNOWN " + command)
            {
                throw new InvalidOperationException($"The loopback SFU has no such participant: '{command}'.");
            }
        }
        while (line is not null && line != "DONE " + command);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // the script exits when stdin closes
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
