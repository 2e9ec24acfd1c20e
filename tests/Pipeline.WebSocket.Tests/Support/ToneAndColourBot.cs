using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Processors;

namespace Pipeline.WebSocket.Tests.Support;

/// <summary>
/// Stands in for the voice bot in the browser test: once it has heard 300 ms of sound it says so (a user transcript),
/// then "speaks" for two seconds in real time, the way an avatar does: a 440 Hz tone with frames whose colour changes
/// every frame, then its text.
/// </summary>
internal sealed class ToneAndColourBot() : FrameProcessor("tone-and-colour-bot")
{
    public const string Reply = "Hello from the test bot.";
    private const int OutRate = 24_000;
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(40);
    private readonly List<byte> _heard = [];
    private TimeSpan _voiced;
    private int _replying;
    private int _replies;

    /// <summary>Replies finished.</summary>
    public int Replies => Volatile.Read(ref _replies);

    /// <summary>Everything heard so far (16 kHz mono PCM16).</summary>
    public byte[] Heard()
    {
        lock (_heard)
        {
            return [.. _heard];
        }
    }

    protected override async ValueTask ProcessFrameAsync(Frame frame, FrameDirection direction, CancellationToken cancellationToken)
    {
        await PushFrameAsync(frame, direction, cancellationToken);
        if (frame is not InputAudioRawFrame audio)
        {
            return;
        }

        lock (_heard)
        {
            _heard.AddRange(audio.Audio.Span);
        }

        if (Pcm16.LevelDbfs(audio.Audio.Span) > -40)
        {
            _voiced += PcmFormat.DurationOf(audio.Audio.Length, audio.SampleRate);
        }

        if (_voiced >= TimeSpan.FromMilliseconds(300) && Interlocked.CompareExchange(ref _replying, 1, 0) == 0)
        {
            TimeSpan heard = _voiced;
            _voiced = TimeSpan.Zero;
            _ = StartBackgroundTask("reply", ct => ReplyAsync(heard, ct));
        }
    }

    private async Task ReplyAsync(TimeSpan heard, CancellationToken cancellationToken)
    {
        await PushFrameAsync(new TranscriptionFrame($"(heard {heard.TotalMilliseconds:0} ms of speech)", "browser", TimeProvider.GetUtcNow()), FrameDirection.Downstream, cancellationToken);
        await PushFrameAsync(new BotStartedSpeakingFrame(), FrameDirection.Downstream, cancellationToken);
        byte[] tone = TestSignals.Tone(440, Step, OutRate, 0.4);
        for (int i = 0; i < 50; i++)
        {
            (byte r, byte g, byte b) = ((byte)(i * 37 % 256), (byte)(255 - (i * 53 % 256)), (byte)(i * 91 % 256));
            await PushFrameAsync(new OutputImageRawFrame(TestSignals.SolidRgb(320, 240, r, g, b), 320, 240, PixelFormat.Rgb24), FrameDirection.Downstream, cancellationToken);
            await PushFrameAsync(new OutputAudioRawFrame(tone, OutRate, 1), FrameDirection.Downstream, cancellationToken);
            // Real time, like an avatar's media: the page plays what it gets as it gets it.
            await Task.Delay(Step, TimeProvider, cancellationToken);
        }

        await PushFrameAsync(new TTSTextFrame(Reply), FrameDirection.Downstream, cancellationToken);
        await PushFrameAsync(new BotStoppedSpeakingFrame(), FrameDirection.Downstream, cancellationToken);
        Interlocked.Increment(ref _replies);
        Volatile.Write(ref _replying, 0);
    }
}
