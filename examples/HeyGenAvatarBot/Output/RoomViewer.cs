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
/// <param name="connector">Joins the room (the LiveKit connector, as the HeyGen relay mode uses).</param>
/// <param name="request">Where, as whom (a viewer token: secret), and whose media to take (the worker's identity).</param>
internal sealed class RoomViewer(IAvatarMediaConnector connector, AvatarMediaConnectRequest request) : FrameProcessor("RoomViewer")
{
    private IAvatarMediaSession? _room;
    private CancellationTokenSource? _watching;

    /// <summary>Video frames the viewer received.</summary>
    public int VideoFrames { get; private set; }

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
                _ = StartBackgroundTask("viewer-video", ct => PumpVideoAsync(_room, ct, watching));
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

    private async Task PumpVideoAsync(IAvatarMediaSession room, CancellationToken processor, CancellationToken watching)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(processor, watching);
        try
        {
            await foreach (RemoteVideoBuffer buffer in room.ReadVideoAsync(both.Token))
            {
                using (buffer)
                {
                    // The frame takes the room's pooled buffer when it has one (no copy), a copy otherwise.
                    FrameBuffer? pooled = buffer.TakeFrameBuffer();
                    OutputImageRawFrame image = pooled is not null
                        ? new OutputImageRawFrame(pooled, buffer.Width, buffer.Height, buffer.Format)
                        : new OutputImageRawFrame(buffer.Data.ToArray(), buffer.Width, buffer.Height, buffer.Format);
                    VideoFrames++;
                    await PushFrameAsync(image, FrameDirection.Downstream, both.Token);
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
