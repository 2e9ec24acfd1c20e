using System.Buffers.Binary;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace PlaygroundRoundTrip;

/// <summary>
/// Measures the microphone path (client capture stamp → this processor) and plays an avatar's part: 25 frames per
/// second of 640x360 RGB24 video whose colour changes every frame, with 40 ms of 24 kHz tone per frame, in real time.
/// </summary>
internal sealed class AvatarLikeSource() : FrameProcessor("avatar-like-source")
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(40);
    private readonly List<double> _micDelaysMs = [];
    private int _started;

    public IReadOnlyList<double> MicDelaysMs
    {
        get
        {
            lock (_micDelaysMs)
            {
                return [.. _micDelaysMs];
            }
        }
    }

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        if (frame is InputAudioRawFrame audio && audio.HasMetadata
            && audio.Metadata.TryGetValue(Pipeline.WebSocket.WebSocketInputTransport.ClientTimestampKey, out object? stamp) && stamp is long capturedUs)
        {
            double delayMs = ((TimeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10 - capturedUs) / 1000.0;
            lock (_micDelaysMs)
            {
                _micDelaysMs.Add(delayMs);
            }
        }

        if (frame is OutputTransportReadyFrame && Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = StartBackgroundTask("avatar-like-media", SpeakAsync);
        }

        await PushFrameAsync(frame, direction, cancellationToken);
    }

    private async Task SpeakAsync(CancellationToken cancellationToken)
    {
        byte[] tone = new byte[24_000 * 2 / 25];
        for (int i = 0; i < tone.Length / 2; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(tone.AsSpan(i * 2), (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 24_000)));
        }

        using var timer = new PeriodicTimer(Step, TimeProvider);
        for (int n = 0; await timer.WaitForNextTickAsync(cancellationToken); n++)
        {
            byte[] rgb = new byte[640 * 360 * 3];
            rgb.AsSpan().Fill((byte)(n * 23 % 256));
            await PushFrameAsync(new OutputImageRawFrame(rgb, 640, 360, PixelFormat.Rgb24), FrameDirection.Downstream, cancellationToken);
            await PushFrameAsync(new OutputAudioRawFrame(tone, 24_000, 1), FrameDirection.Downstream, cancellationToken);
        }
    }
}
