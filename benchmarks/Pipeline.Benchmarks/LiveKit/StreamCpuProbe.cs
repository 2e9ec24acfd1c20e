using System.Diagnostics;
using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.LiveKit;

namespace Pipeline.Benchmarks.LiveKit;

/// <summary>
/// CPU per 720p30 stream, measured as this process's CPU time over wall time while streams run:
/// <list type="bullet">
/// <item><see cref="LoopbackAsync"/>: N local sources captured at 30 fps, each read as RGB24 and hopped to an
/// OutputImageRawFrame (no codec: the engine's track, conversion and delivery, plus our hop);</item>
/// <item><see cref="RemoteAsync"/>: a real room (e.g. tests/Pipeline.LiveKit.Tests/sfu/loopback_sfu.py --width 1280
/// --height 720) through <see cref="LiveKitAvatarMediaConnector"/>: WebRTC receive, VP8 decode, conversion, hop.</item>
/// </list>
/// </summary>
public static class StreamCpuProbe
{
    public static async Task<string> LoopbackAsync(int streams, TimeSpan duration)
    {
        LiveKitRuntime.Initialize();
        byte[] i420 = new byte[PixelFormats.BufferSize(PixelFormat.I420, 1280, 720)];
        Random.Shared.NextBytes(i420);
        using var stop = new CancellationTokenSource();
        long delivered = 0;
        var tasks = new List<Task>();
        var owned = new List<IDisposable>();
        for (int i = 0; i < streams; i++)
        {
            var source = new VideoSource(1280, 720);
            var track = LocalVideoTrack.Create($"load-{i}", source);
            var stream = VideoStream.Create(track, new VideoStreamOptions { Format = PixelFormat.Rgb24 });
            owned.AddRange([stream, track, source]);
            tasks.Add(CaptureAsync(source, i420, stop.Token));
            tasks.Add(ReadAsync(stream, () => Interlocked.Increment(ref delivered), stop.Token));
        }

        // Warm up (JIT, first track and stream creation) before measuring.
        while (Interlocked.Read(ref delivered) < streams * 15L)
        {
            await Task.Delay(50);
        }

        long before = Interlocked.Read(ref delivered);
        (TimeSpan cpu, TimeSpan wall) = await MeasureAsync(duration);
        double fps = (Interlocked.Read(ref delivered) - before) / wall.TotalSeconds / streams;
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        owned.ForEach(o => o.Dispose());
        return Report($"loopback x{streams}", cpu, wall, streams, fps);
    }

    public static async Task<string> RemoteAsync(Uri url, string token, string avatarIdentity, TimeSpan duration)
    {
        var connector = new LiveKitAvatarMediaConnector();
        await using IAvatarMediaSession session = await connector.ConnectAsync(
            new AvatarMediaConnectRequest(url, token, avatarIdentity) { VideoFormat = PixelFormat.Rgb24 }, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        long frames = 0;
        Task video = Task.Run(async () =>
        {
            try
            {
                await foreach (RemoteVideoBuffer frame in session.ReadVideoAsync(stop.Token))
                {
                    using (frame)
                    {
                        _ = new OutputImageRawFrame(frame.Data.ToArray(), frame.Width, frame.Height, frame.Format);
                        Interlocked.Increment(ref frames);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        Task audio = Task.Run(async () =>
        {
            try
            {
                await foreach (RemoteAudioBuffer block in session.ReadAudioAsync(stop.Token))
                {
                    block.Dispose();
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        // Let the first keyframe arrive before measuring.
        while (Interlocked.Read(ref frames) < 10)
        {
            await Task.Delay(50);
        }

        long before = Interlocked.Read(ref frames);
        (TimeSpan cpu, TimeSpan wall) = await MeasureAsync(duration);
        double fps = (Interlocked.Read(ref frames) - before) / wall.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(video, audio);
        return Report("remote 720p VP8 + Opus", cpu, wall, 1, fps);
    }

    private static async Task<(TimeSpan Cpu, TimeSpan Wall)> MeasureAsync(TimeSpan duration)
    {
        using var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(duration);
        process.Refresh();
        return (process.TotalProcessorTime - cpuBefore, wall.Elapsed);
    }

    private static string Report(string name, TimeSpan cpu, TimeSpan wall, int streams, double fpsPerStream)
    {
        double corePerStream = cpu.TotalSeconds / wall.TotalSeconds / streams;
        return $"{name}: {fpsPerStream:0.0} fps per stream, {corePerStream * 100:0.0}% of one core per stream " +
               $"(~{1 / corePerStream:0.0} streams per core), {cpu.TotalSeconds:0.00} s CPU in {wall.TotalSeconds:0.00} s";
    }

    private static async Task CaptureAsync(VideoSource source, byte[] i420, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / 30));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                source.Capture(i420, 1280, 720, PixelFormat.I420);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ReadAsync(VideoStream stream, Action counted, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (VideoFrame frame in stream.ReadAllAsync(cancellationToken))
            {
                using (frame)
                {
                    _ = new OutputImageRawFrame(frame.PackedData.ToArray(), frame.Width, frame.Height, frame.Format);
                    counted();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
