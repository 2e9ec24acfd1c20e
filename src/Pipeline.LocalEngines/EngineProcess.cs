using System.Diagnostics;
using System.Text;

namespace Pipeline.LocalEngines;

/// <summary>
/// One run of an engine program: arguments passed as a list (never through a shell), stdin written by the caller,
/// stdout read by the caller, stderr kept (its tail) for the error message. Cancellation or disposal before the
/// program exits kills it, so no engine process outlives the call that started it.
/// </summary>
internal sealed class EngineProcess : IAsyncDisposable
{
    private const int StderrLimit = 4096;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private readonly string _engine;

    private EngineProcess(Process process, string engine)
    {
        _process = process;
        _engine = engine;
        _stderrPump = PumpStderrAsync();
    }

    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    public Stream StandardInput => _process.StandardInput.BaseStream;

    public static EngineProcess Start(string executable, IEnumerable<string> arguments, string engine)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process = Process.Start(info)
            ?? throw new InvalidOperationException($"{engine}: the program '{executable}' could not be started.");
        return new EngineProcess(process, engine);
    }

    /// <summary>Waits for the program to exit; a non-zero exit code becomes an exception with its stderr tail.</summary>
    public async Task WaitForSuccessAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }

        await _stderrPump.ConfigureAwait(false);
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{_engine} failed with exit code {_process.ExitCode}: {StderrTail()}");
        }
    }

    public string StderrTail()
    {
        lock (_stderr)
        {
            return _stderr.ToString().Trim();
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                // The engines start no children; walking the process tree would scan /proc on every early stop.
                _process.Kill(entireProcessTree: false);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            await _stderrPump.ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task PumpStderrAsync()
    {
        char[] buffer = new char[1024];
        try
        {
            int n;
            while ((n = await _process.StandardError.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_stderr)
                {
                    _stderr.Append(buffer, 0, n);
                    if (_stderr.Length > StderrLimit)
                    {
                        _stderr.Remove(0, _stderr.Length - StderrLimit);
                    }
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke because the process was killed: nothing more to read.
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
