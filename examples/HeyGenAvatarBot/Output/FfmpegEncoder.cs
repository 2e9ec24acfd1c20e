using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HeyGenAvatarBot.Output;

/// <summary>
/// Encodes raw I420 video and 16-bit mono PCM into an MP4 (H.264 + AAC) with Debian's ffmpeg, as the media arrives:
/// the video goes to ffmpeg's standard input, the audio over a loopback TCP connection that ffmpeg opens to us (a
/// second pipe without platform-specific named pipes).
/// </summary>
internal sealed class FfmpegEncoder : IAsyncDisposable
{
    private readonly Process _ffmpeg;
    private readonly TcpListener _audioListener;
    private readonly Task<TcpClient> _audioAccepted;
    private readonly Task<string> _errors;
    private readonly MemoryStream _audioBeforeConnect = new();
    private NetworkStream? _audio;
    private bool _finished;

    private FfmpegEncoder(Process ffmpeg, TcpListener audioListener, string path)
    {
        _ffmpeg = ffmpeg;
        _audioListener = audioListener;
        _audioAccepted = audioListener.AcceptTcpClientAsync();
        _errors = ffmpeg.StandardError.ReadToEndAsync();
        Path = path;
    }

    /// <summary>The MP4 being written.</summary>
    public string Path { get; }

    /// <summary>Starts ffmpeg for video of <paramref name="width"/>x<paramref name="height"/> at <paramref name="frameRate"/> fps and audio at <paramref name="sampleRate"/> Hz.</summary>
    /// <exception cref="InvalidOperationException">ffmpeg is not installed (the message says how to install it).</exception>
    public static FfmpegEncoder Start(string path, int width, int height, double frameRate, int sampleRate)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(1);
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string rate = frameRate.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "-y", "-hide_banner", "-loglevel", "error", "-nostdin",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{width}x{height}", "-r", rate, "-thread_queue_size", "512", "-i", "pipe:0",
            "-f", "s16le", "-ar", sampleRate.ToString(CultureInfo.InvariantCulture), "-ac", "1", "-thread_queue_size", "512",
            "-i", $"tcp://127.0.0.1:{port}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-pix_fmt", "yuv420p", "-g", "50",
            "-c:a", "aac", "-b:a", "48k", "-movflags", "+faststart", "-shortest", path,
        })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            Process ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
            return new FfmpegEncoder(ffmpeg, listener, path);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            listener.Stop();
            throw new InvalidOperationException(Preflight.FfmpegHint);
        }
    }

    /// <summary>Writes one video frame (I420, the size given at start).</summary>
    public async ValueTask WriteVideoAsync(ReadOnlyMemory<byte> i420, CancellationToken cancellationToken)
    {
        await _ffmpeg.StandardInput.BaseStream.WriteAsync(i420, cancellationToken);
    }

    /// <summary>Writes audio (16-bit mono PCM at the rate given at start); held until ffmpeg has connected.</summary>
    public async ValueTask WriteAudioAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken)
    {
        if (_audio is null && _audioAccepted.IsCompletedSuccessfully)
        {
            _audio = _audioAccepted.Result.GetStream();
            await _audio.WriteAsync(_audioBeforeConnect.GetBuffer().AsMemory(0, (int)_audioBeforeConnect.Length), cancellationToken);
            _audioBeforeConnect.SetLength(0);
        }

        if (_audio is null)
        {
            _audioBeforeConnect.Write(pcm.Span);
            return;
        }

        await _audio.WriteAsync(pcm, cancellationToken);
    }

    /// <summary>Closes both inputs and waits for ffmpeg to write the file.</summary>
    /// <returns>ffmpeg's error output when it failed; null when the MP4 was written.</returns>
    public async Task<string?> FinishAsync(CancellationToken cancellationToken)
    {
        if (_finished)
        {
            return null;
        }

        _finished = true;
        await _ffmpeg.StandardInput.BaseStream.FlushAsync(cancellationToken);
        _ffmpeg.StandardInput.Close();
        if (_audio is null && _audioBeforeConnect.Length > 0)
        {
            // ffmpeg connects once it has probed the video; give it the audio it missed.
            TcpClient client = await _audioAccepted.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            _audio = client.GetStream();
            await _audio.WriteAsync(_audioBeforeConnect.GetBuffer().AsMemory(0, (int)_audioBeforeConnect.Length), cancellationToken);
        }

        if (_audio is not null)
        {
            (await _audioAccepted).Client.Shutdown(SocketShutdown.Send);
        }

        await _ffmpeg.WaitForExitAsync(cancellationToken);
        string errors = await _errors;
        return _ffmpeg.ExitCode == 0 ? null : $"ffmpeg exited with {_ffmpeg.ExitCode}: {errors.Trim()}";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_ffmpeg.HasExited)
        {
            _ffmpeg.Kill(entireProcessTree: true);
            await _ffmpeg.WaitForExitAsync(CancellationToken.None);
        }

        _audio?.Dispose();
        _audioListener.Stop();
        _ = _audioAccepted.ContinueWith(t => t.Exception, TaskScheduler.Default); // ffmpeg never connected: observe the accept's fault
        if (_audioAccepted.IsCompletedSuccessfully)
        {
            _audioAccepted.Result.Dispose();
        }

        _ffmpeg.Dispose();
        _audioBeforeConnect.Dispose();
    }
}
