using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace HeyGenAvatarBot.Output;

/// <summary>
/// Encodes raw I420 video and 16-bit mono PCM into an MP4 (H.264 + AAC) with Debian's ffmpeg, as the media arrives:
/// the video goes to ffmpeg's standard input, the audio over a loopback TCP connection that ffmpeg opens to us (a
/// second pipe without platform-specific named pipes).
/// </summary>
/// <remarks>
/// Each input has its own pump task fed by a channel: ffmpeg opens and probes its inputs one after the other, so a
/// writer that alternated between them would wait on the video pipe while ffmpeg waits for audio. The video channel is
/// bounded (backpressure when ffmpeg encodes slower than real time); the audio is small and unbounded.
/// </remarks>
internal sealed class FfmpegEncoder : IAsyncDisposable
{
    private readonly Process _ffmpeg;
    private readonly TcpListener _audioListener;
    private readonly Channel<ReadOnlyMemory<byte>> _video = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(50) { SingleReader = true, SingleWriter = true });
    private readonly Channel<ReadOnlyMemory<byte>> _audio = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _abort = new();
    private readonly Task<string> _errors;
    private readonly Task _videoPump;
    private readonly Task _audioPump;
    private Task<string?>? _finished;

    private FfmpegEncoder(Process ffmpeg, TcpListener audioListener, string path)
    {
        _ffmpeg = ffmpeg;
        _audioListener = audioListener;
        _errors = ffmpeg.StandardError.ReadToEndAsync();
        _videoPump = PumpVideoAsync();
        _audioPump = PumpAudioAsync();
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
            "-y", "-hide_banner", "-loglevel", "error",
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

    /// <summary>Queues one video frame (I420, the size given at start; the encoder keeps the buffer).</summary>
    public ValueTask WriteVideoAsync(ReadOnlyMemory<byte> i420, CancellationToken cancellationToken) =>
        _video.Writer.WriteAsync(i420, cancellationToken);

    /// <summary>Queues audio (16-bit mono PCM at the rate given at start; the encoder keeps the buffer).</summary>
    public void WriteAudio(ReadOnlyMemory<byte> pcm) => _audio.Writer.TryWrite(pcm);

    /// <summary>Closes both inputs and waits for ffmpeg to write the file.</summary>
    /// <returns>ffmpeg's error output when it failed; null when the MP4 was written.</returns>
    public Task<string?> FinishAsync() => _finished ??= FinishOnceAsync();

    private async Task<string?> FinishOnceAsync()
    {
        _video.Writer.TryComplete();
        _audio.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_videoPump, _audioPump).WaitAsync(TimeSpan.FromSeconds(30));
            await _ffmpeg.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is IOException or SocketException or TimeoutException or ObjectDisposedException)
        {
            await _abort.CancelAsync();
            _ffmpeg.Kill(entireProcessTree: true);
            await _ffmpeg.WaitForExitAsync();
            return $"ffmpeg stopped taking media ({e.Message}): {(await _errors).Trim()}";
        }

        string errors = await _errors;
        return _ffmpeg.ExitCode == 0 ? null : $"ffmpeg exited with {_ffmpeg.ExitCode}: {errors.Trim()}";
    }

    private async Task PumpVideoAsync()
    {
        await Task.Yield();
        Stream stdin = _ffmpeg.StandardInput.BaseStream;
        try
        {
            await foreach (ReadOnlyMemory<byte> frame in _video.Reader.ReadAllAsync(_abort.Token))
            {
                await stdin.WriteAsync(frame, _abort.Token);
            }

            await stdin.FlushAsync(_abort.Token);
        }
        finally
        {
            stdin.Close(); // end of video for ffmpeg
        }
    }

    private async Task PumpAudioAsync()
    {
        using TcpClient client = await _audioListener.AcceptTcpClientAsync(_abort.Token);
        _audioListener.Stop();
        NetworkStream stream = client.GetStream();
        await foreach (ReadOnlyMemory<byte> chunk in _audio.Reader.ReadAllAsync(_abort.Token))
        {
            await stream.WriteAsync(chunk, _abort.Token);
        }

        client.Client.Shutdown(SocketShutdown.Send); // end of audio for ffmpeg
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync();
        if (!_ffmpeg.HasExited)
        {
            _ffmpeg.Kill(entireProcessTree: true);
            await _ffmpeg.WaitForExitAsync(CancellationToken.None);
        }

        await Task.WhenAll(_videoPump, _audioPump).ContinueWith(t => t.Exception, TaskScheduler.Default); // faults were reported by FinishAsync
        _audioListener.Stop();
        _ffmpeg.Dispose();
        _abort.Dispose();
    }
}
