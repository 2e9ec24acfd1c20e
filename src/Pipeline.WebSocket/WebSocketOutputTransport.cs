using Pipeline.Core.Frames;
using Pipeline.Core.Processors;
using Pipeline.WebSocket.Frames;
using Pipeline.WebSocket.Protocol;
using Pipeline.WebSocket.Server;

namespace Pipeline.WebSocket;

/// <summary>
/// The last processor of a pipeline served over a <see cref="WebSocketTransport"/>: sends the connected client the
/// bot's <see cref="OutputAudioRawFrame"/>s (PCM16 at their own rate), <see cref="OutputImageRawFrame"/>s as JPEG (at
/// most <see cref="WebSocketTransportOptions.MaxVideoFramesPerSecond"/>; dropped, not queued, when the client is
/// behind), and text events: user transcripts (interim and final), the bot's spoken text (<see cref="TTSTextFrame"/>),
/// who is speaking, and interruptions. Answers a <see cref="WebSocketClientConnectedFrame"/> with an
/// <see cref="OutputTransportReadyFrame"/> upstream. Every frame is passed on; while no client is connected, media
/// is discarded.
/// </summary>
public sealed class WebSocketOutputTransport : FrameProcessor
{
    private readonly WebSocketTransport _transport;
    private readonly JpegFrameEncoder _encoder;
    private readonly long _videoInterval;
    private long _nextVideoDue;
    private long _videoClient;
    private long _sentVideoFrames;

    internal WebSocketOutputTransport(WebSocketTransport transport)
        : base("WebSocketOutput")
    {
        _transport = transport;
        _encoder = new JpegFrameEncoder(transport.Options.JpegQuality);
        _videoInterval = (long)(transport.Clock.TimestampFrequency / transport.Options.MaxVideoFramesPerSecond);
    }

    /// <summary>Video frames encoded and queued for a client (for diagnostics and tests).</summary>
    public long SentVideoFrames => Interlocked.Read(ref _sentVideoFrames);

    /// <inheritdoc />
    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        ClientSession? client = _transport.Server.Joined;
        switch (frame)
        {
            case WebSocketClientConnectedFrame:
                await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
                await PushFrameAsync(new OutputTransportReadyFrame(), FrameDirection.Upstream, cancellationToken).ConfigureAwait(false);
                return;
            case OutputAudioRawFrame audio:
                client?.TrySendAudio(audio.Audio.Span, audio.SampleRate, audio.Channels);
                break;
            case OutputImageRawFrame image when client is not null:
                SendVideo(client, image);
                break;
            case TranscriptionFrame final:
                client?.Enqueue(new TranscriptEvent(final.Text, Final: true, final.UserId));
                break;
            case InterimTranscriptionFrame interim:
                client?.Enqueue(new TranscriptEvent(interim.Text, Final: false, interim.UserId));
                break;
            case TTSTextFrame spoken:
                client?.Enqueue(new BotTextEvent(spoken.Text));
                break;
            case BotStartedSpeakingFrame:
                client?.Enqueue(new SpeakingEvent("bot", Speaking: true));
                break;
            case BotStoppedSpeakingFrame:
                client?.Enqueue(new SpeakingEvent("bot", Speaking: false));
                break;
            case UserStartedSpeakingFrame:
                client?.Enqueue(new SpeakingEvent("user", Speaking: true));
                break;
            case UserStoppedSpeakingFrame:
                client?.Enqueue(new SpeakingEvent("user", Speaking: false));
                break;
            case InterruptionFrame when client is not null:
                client.Media.ResetAudio();
                client.Enqueue(new InterruptedEvent());
                break;
        }

        await PushFrameAsync(frame, direction, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override ValueTask CleanupAsync()
    {
        _encoder.Dispose();
        return default;
    }

    private void SendVideo(ClientSession client, OutputImageRawFrame image)
    {
        long now = _transport.Clock.GetTimestamp();
        if (client.Id != _videoClient)
        {
            _videoClient = client.Id;
            _nextVideoDue = now;
        }

        // The cap keeps the average at most MaxVideoFramesPerSecond while letting a late frame catch up one interval.
        if (now < _nextVideoDue || !client.TryReserveVideo())
        {
            return;
        }

        _nextVideoDue = Math.Max(_nextVideoDue, now - _videoInterval) + _videoInterval;
        byte[] message;
        int length;
        try
        {
            (message, length) = _encoder.Encode(image, client.Media.NowMicroseconds);
        }
        catch
        {
            client.ReleaseVideoReservation();
            throw;
        }

        if (client.TrySendVideo(message, length))
        {
            Interlocked.Increment(ref _sentVideoFrames);
        }
    }
}
