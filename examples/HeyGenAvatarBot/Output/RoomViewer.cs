using Pipeline.Core.Frames;
using Pipeline.Core.Media;
using Pipeline.Core.Processors;
using Pipeline.Core.Video;

namespace HeyGenAvatarBot.Output;

/// <summary>
/// A viewer in the avatar's LiveKit room, as a processor: when the pipeline starts (after the avatar service before it
/// has its worker in the room) it joins as one more participant, subscribes to the avatar's video and voice, and pushes
/// them downstream as <see cref="OutputImageRawFrame"/>s and <see cref="SpeechOutputAudioRawFrame"/>s: what anyone in the
/// room sees and hears, for the recorder after it. A direct-room avatar's media never passes through the pipeline; this
/// brings back exactly what reached the room.
/// </summary>
/// <remarks>
/// A room delivers video at whatever rate the network and encoder manage (often below the nominal rate on a busy
/// machine), while the recorder clocks the file by its video frames. So the viewer shows the room like a screen does:
/// it pushes a frame every 1/<paramref name="frameRate"/> s of real time, the latest picture received (held when none
/// is new), and the recording's timeline is the room's.
/// </remarks>
/// <param name="connector">Joins the room (the LiveKit connector, as the HeyGen relay mode uses).</param>
/// <param name="request">Where, as whom (a viewer token: secret), and whose media to take (the worker's identity).</param>
/// <param name="frameRate">The rate the viewer shows the room at, in frames per second.</param>
internal sealed class RoomViewer(IAvatarMediaConnector connector, AvatarMediaConnectRequest request, double frameRate) : FrameProcessor("RoomViewer")
{
    private readonly Lock _gate = new();
    private IAvatarMediaSession? _room;
    private CancellationTokenSource? _watching;
    private (byte[] Pixels, int Width, int Height, PixelFormat Format)? _latest;

    /// <summary>Video frames the viewer received from the room.</summary>
    public int FramesReceived { get; private set; }

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case StartFrame:
                await PushFrameAsync(frame, direction, cancellationToken);
                try
                {
                    _room = await connector.ConnectAsync(request, cancellationToken);
                }
                catch (AvatarMediaException e)
                {
                    await PushErrorAsync($"The viewer could not join the avatar's room: {e.Message}", e, fatal: true);
                    return;
                }

                _watching = new CancellationTokenSource();
                CancellationToken watching = _watching.Token;
                _ = StartBackgroundTask("viewer-video", ct => ReceiveVideoAsync(_room, ct, watching));
                _ = StartBackgroundTask("viewer-screen", ct => ShowAsync(ct, watching));
                _ = StartBackgroundTask("viewer-audio", ct => PumpAudioAsync(_room, ct, watching));
                return;
            case EndFrame or CancelFrame:
                await LeaveAsync();
                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken);
    }

    protected override async ValueTask CleanupAsync() => await LeaveAsync();

    private async ValueTask LeaveAsync()
    {
        if (Interlocked.Exchange(ref _watching, null) is { } watching)
        {
            await watching.CancelAsync(); // the pumps end; the processor's own disposal waits for them
            watching.Dispose();
        }

        if (Interlocked.Exchange(ref _room, null) is { } room)
        {
            await room.DisposeAsync();
        }
    }

    private async Task ReceiveVideoAsync(IAvatarMediaSession room, CancellationToken processor, CancellationToken watching)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(processor, watching);
        try
        {
            await foreach (RemoteVideoBuffer buffer in room.ReadVideoAsync(both.Token))
            {
                using (buffer)
                {
                    byte[] pixels = buffer.Data.ToArray(); // held until the next picture: the room's buffer goes back now
                    lock (_gate)
                    {
                        _latest = (pixels, buffer.Width, buffer.Height, buffer.Format);
                    }

                    FramesReceived++;
                }
            }
        }
        catch (OperationCanceledException) when (both.IsCancellationRequested)
        {
            // left the room
        }
    }

    /// <summary>Pushes the latest picture at the nominal rate, on the real-time clock, from the first picture on.</summary>
    private async Task ShowAsync(CancellationToken processor, CancellationToken watching)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(processor, watching);
        TimeSpan period = TimeSpan.FromSeconds(1 / frameRate);
        using var ticks = new PeriodicTimer(period);
        long started = 0;
        long shown = 0;
        try
        {
            while (await ticks.WaitForNextTickAsync(both.Token))
            {
                (byte[] Pixels, int Width, int Height, PixelFormat Format)? latest;
                lock (_gate)
                {
                    latest = _latest;
                }

                if (latest is not { } picture)
                {
                    continue;
                }

                started = started == 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : started;
                // As many frames as real time says are due: a late tick catches up instead of shortening the recording.
                long due = 1 + (long)(System.Diagnostics.Stopwatch.GetElapsedTime(started) / period);
                for (; shown < due; shown++)
                {
                    await PushFrameAsync(new OutputImageRawFrame(picture.Pixels, picture.Width, picture.Height, picture.Format), FrameDirection.Downstream, both.Token);
                }
            }
        }
        catch (OperationCanceledException) when (both.IsCancellationRequested)
        {
            // left the room
        }
    }

    private async Task PumpAudioAsync(IAvatarMediaSession room, CancellationToken processor, CancellationToken watching)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(processor, watching);
        try
        {
            await foreach (RemoteAudioBuffer block in room.ReadAudioAsync(both.Token))
            {
                using RemoteAudioBuffer held = block; // copied into the frame: the room's buffer goes back at once
                await PushFrameAsync(new SpeechOutputAudioRawFrame(block.Pcm.ToArray(), block.SampleRate, block.Channels), FrameDirection.Downstream, both.Token);
            }
        }
        catch (OperationCanceledException) when (both.IsCancellationRequested)
        {
            // left the room
        }
    }

    /// <summary>The request a viewer makes for the recorder: I420 video (what ffmpeg takes as is) and mono speech at <paramref name="sampleRate"/>.</summary>
    public static AvatarMediaConnectRequest Request(Uri url, string viewerToken, string avatarIdentity, int sampleRate) =>
        new(url, viewerToken, avatarIdentity) { VideoFormat = PixelFormat.I420, AudioSampleRate = sampleRate, AudioChannels = 1, ConnectTimeout = TimeSpan.FromSeconds(30) };
}
