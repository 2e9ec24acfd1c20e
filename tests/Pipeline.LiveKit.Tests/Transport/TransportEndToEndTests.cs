using System.Collections.Concurrent;
using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Observers;
using Pipeline.Core.Pipelines;
using Pipeline.Testing;

namespace Pipeline.LiveKit.Tests.Transport;

/// <summary>
/// The whole transport over real WebRTC through the loopback SFU: a person ("user", a second room in this process)
/// speaks a sentence into the room and watches the bot; the pipeline (input → output) hears the sentence at its input
/// rate and publishes colour bars and a tone, which the person receives.
/// </summary>
public sealed class TransportEndToEndTests
{
    private const int Width = 320;
    private const int Height = 240;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_user_is_heard_the_bot_is_seen_and_heard_and_the_user_leaving_ends_the_run()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar");
        SpeechWav speech = SpeechWav.Sentence;
        UserParticipant user = await UserParticipant.JoinAsync(sfu.Url, speech.SampleRate, timeout.Token);
        var ready = new ReadyObserver();
        await using var transport = new LiveKitTransport(Options(sfu), TestLogging.Factory);
        LiveKitInputTransport input = transport.Input();
        LiveKitOutputTransport output = transport.Output();
        await using var harness = new PipelineHarness(
            new FramePipeline(input, output),
            new PipelineTaskOptions { AudioInSampleRate = 16_000, AudioOutSampleRate = 24_000, IdleTimeout = null, Observers = [ready] },
            loggerFactory: TestLogging.Factory) { Hang = Budget };
        try
        {
            harness.Start();
            await ready.Seen.WaitAsync(timeout.Token);
            ready.Source.Should().BeSameAs(output, "the output announces itself upstream once both tracks are published");

            // The user speaks while the bot shows bars and plays a tone. The relay may still be starting when the
            // user begins, so the sentence is said again (at most four times) until the pipeline has heard it.
            int spoken = VoicedMilliseconds(Blocks(speech.Pcm, speech.SampleRate));
            using var heardIt = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            Task<bool> speaking = SpeakUntilHeardAsync(user, speech, () => VoicedMilliseconds(Heard(harness)) >= 0.7 * spoken, heardIt.Token);
            Task botMedia = QueueBotMediaAsync(harness, TimeSpan.FromSeconds(3), timeout.Token);

            using (VideoFrame frame = await SfuRoomTests.FirstFrameWithBarsAsync(await user.BotVideoAsync(timeout.Token), timeout.Token))
            {
                frame.Width.Should().Be(Width);
                frame.Height.Should().Be(Height);
                TestPatterns.AssertBars(frame.PackedData.Span, Width, Height, 3, tolerance: 24);
            }

            List<short[]> tone = await SfuRoomTests.ReadToneAsync(await user.BotAudioAsync(timeout.Token), 16_000, timeout.Token);
            TestPatterns.MeasureFrequency(tone, 16_000).Should().BeApproximately(440, 5);

            await botMedia;
            (await speaking).Should().BeTrue(
                $"the pipeline hears the sentence (heard {VoicedMilliseconds(Heard(harness))} ms of speech of {spoken} ms spoken, in {Heard(harness).Count} frames)");
            List<InputAudioRawFrame> heard = Heard(harness);
            heard.Should().OnlyContain(f => f.SampleRate == 16_000 && f.Channels == 1, "the input arrives at the pipeline's input rate");
            harness.AtEnd.OfType<ParticipantJoinedFrame>().Should().ContainSingle("the user was in the room before the bot").Which.Should()
                .Match<ParticipantJoinedFrame>(f => f.Identity == "user" && f.IsUser);
            output.SentVideoFrames.Should().BeGreaterThan(0);
            output.RejectedVideoFrames.Should().Be(0);
            output.RejectedAudioFrames.Should().Be(0);
            output.SentAudioSamples.Should().Be(3 * 24_000, "every tone sample is sent at the track's 24 kHz");

            await user.DisposeAsync(); // the user leaves

            PipelineFinish finish = await harness.FinishAsync();
            finish.Reason.Should().Be(PipelineFinishReason.Ended, "the transport ends the pipeline when the user leaves");
            finish.RunningTaskCount.Should().Be(0);
            harness.Errors.Should().BeEmpty();
            harness.AtEnd.OfType<ParticipantLeftFrame>().Should().ContainSingle().Which.IsUser.Should().BeTrue();
            harness.AtEnd.OfType<EndFrame>().Single().Reason.Should().Contain("user left");
            transport.DisconnectCount.Should().Be(1);
        }
        finally
        {
            await user.DisposeAsync();
        }

        await transport.DisposeAsync();
        transport.DisconnectCount.Should().Be(1, "disposing after the run does not leave again");
        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore, "the transport and the user released every native handle");
    }

    private static async Task<bool> SpeakUntilHeardAsync(UserParticipant user, SpeechWav speech, Func<bool> heard, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 4 && !heard(); attempt++)
        {
            await user.SpeakAsync(speech.Pcm, cancellationToken);
            await user.SpeakAsync(new byte[speech.SampleRate / 2 * 2], cancellationToken); // half a second of silence lets the last words arrive
        }

        return heard();
    }

    internal static LiveKitTransportOptions Options(LoopbackSfu sfu) => new()
    {
        Url = sfu.Url,
        Token = "identity:bot",
        VideoWidth = Width,
        VideoHeight = Height,
        VideoFramesPerSecond = 25,
        Room = new RoomConnectOptions { ConnectTimeout = TimeSpan.FromSeconds(20) },
    };

    /// <summary>Bars (RGB24, converted by the output) every 40 ms and a 440 Hz tone in 20 ms frames at 24 kHz.</summary>
    internal static async Task QueueBotMediaAsync(PipelineHarness harness, TimeSpan duration, CancellationToken cancellationToken)
    {
        byte[] bars = RgbBars();
        int blocks = (int)(duration.TotalMilliseconds / 20);
        for (int k = 0; k < blocks && !cancellationToken.IsCancellationRequested; k++)
        {
            if (k % 2 == 0)
            {
                await harness.QueueAsync(new OutputImageRawFrame(bars, Width, Height, PixelFormat.Rgb24) { PresentationTimestamp = TimeSpan.FromMilliseconds(20 * k) });
            }

            await harness.QueueAsync(new OutputAudioRawFrame(TestPatterns.Tone(440, 24_000, 1, 480, 8_000, k * 480L), 24_000, 1));
        }
    }

    private static byte[] RgbBars()
    {
        byte[] rgba = TestPatterns.BarsRgba(Width, Height);
        byte[] rgb = new byte[Width * Height * 3];
        for (int i = 0, j = 0; i < rgba.Length; i += 4, j += 3)
        {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }

        return rgb;
    }

    private static List<InputAudioRawFrame> Heard(PipelineHarness harness) => [.. harness.AtEnd.OfType<InputAudioRawFrame>()];

    private static IEnumerable<byte[]> Blocks(byte[] pcm, int sampleRate)
    {
        int block = sampleRate / 50 * 2;
        for (int offset = 0; offset + block <= pcm.Length; offset += block)
        {
            yield return pcm[offset..(offset + block)];
        }
    }

    // Speech energy: 20 ms blocks louder than -40 dBFS, in milliseconds.
    private static int VoicedMilliseconds(IEnumerable<byte[]> blocks) => blocks.Count(b => Pcm16.LevelDbfs(b) > -40) * 20;

    private static int VoicedMilliseconds(List<InputAudioRawFrame> frames) => VoicedMilliseconds(frames.Select(f => f.Audio.ToArray()));

    private sealed class ReadyObserver : IFrameObserver
    {
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => _seen.Task;

        public Core.Processors.FrameProcessor? Source { get; private set; }

        public ValueTask OnFramePushedAsync(FramePushed pushed, CancellationToken cancellationToken)
        {
            if (pushed.Frame is OutputTransportReadyFrame && pushed.Direction == Core.Processors.FrameDirection.Upstream && Source is null)
            {
                Source = pushed.Source;
                _seen.TrySetResult();
            }

            return default;
        }
    }
}
