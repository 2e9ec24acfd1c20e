using Pipeline.Core.Frames;
using Pipeline.WebSocket.Frames;
using Pipeline.WebSocket.Tests.Support;
using SkiaSharp;

namespace Pipeline.WebSocket.Tests;

public sealed class OutputTests
{
    [Fact]
    public async Task A_joined_client_opens_the_output_gate_with_an_OutputTransportReadyFrame_upstream()
    {
        await using var served = await ServedPipeline.StartAsync();
        served.Recorder.Upstream.OfType<OutputTransportReadyFrame>().Should().BeEmpty("nobody is connected yet");

        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri);

        await served.WaitForAsync<OutputTransportReadyFrame>();
        served.Recorder.Downstream.OfType<WebSocketClientConnectedFrame>().Should().ContainSingle();
        served.Transport.IsClientConnected.Should().BeTrue();
    }

    [Fact]
    public async Task Output_audio_arrives_as_PCM16_with_its_rate_on_a_contiguous_timeline()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri);
        await served.WaitForAsync<OutputTransportReadyFrame>();
        byte[] first = TestSignals.Tone(300, TimeSpan.FromMilliseconds(100), 24_000);
        byte[] second = TestSignals.Tone(600, TimeSpan.FromMilliseconds(100), 24_000);

        await served.Harness.QueueAsync(new OutputAudioRawFrame(first, 24_000, 1), new OutputAudioRawFrame(second, 24_000, 1));

        Received a = await client.ReceiveUntilAsync(m => m.Kind == 1);
        Received b = await client.ReceiveUntilAsync(m => m.Kind == 1);
        a.SampleRate.Should().Be(24_000);
        a.Payload.Should().Equal(first);
        b.Payload.Should().Equal(second);
        (b.TimestampMicroseconds - a.TimestampMicroseconds).Should().Be(100_000, "the second chunk plays right after the first");
    }

    [Fact]
    public async Task Output_images_arrive_as_JPEG_that_decodes_to_the_same_picture()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri);
        await served.WaitForAsync<OutputTransportReadyFrame>();

        await served.Harness.QueueAsync(new OutputImageRawFrame(TestSignals.SolidRgb(320, 240, 200, 40, 90), 320, 240, PixelFormat.Rgb24));

        Received frame = await client.ReceiveUntilAsync(m => m.Kind == 2);
        (frame.Width, frame.Height).Should().Be((320, 240));
        using SKBitmap decoded = SKBitmap.Decode(frame.Payload);
        decoded.Should().NotBeNull("the payload is a JPEG");
        (decoded.Width, decoded.Height).Should().Be((320, 240));
        SKColor centre = decoded.GetPixel(160, 120);
        ((int)centre.Red).Should().BeCloseTo(200, 6);
        ((int)centre.Green).Should().BeCloseTo(40, 6);
        ((int)centre.Blue).Should().BeCloseTo(90, 6);
    }

    [Fact]
    public async Task Frames_above_the_frame_rate_cap_are_skipped_not_queued()
    {
        await using var served = await ServedPipeline.StartAsync(new WebSocketTransportOptions
        {
            DisconnectPolicy = ClientDisconnectPolicy.WaitForReconnect,
            MaxVideoFramesPerSecond = 0.5, // one frame, then none for two seconds
        });
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri);
        await served.WaitForAsync<OutputTransportReadyFrame>();
        byte[] rgb = TestSignals.SolidRgb(64, 48, 0, 0, 255);

        await served.Harness.QueueAsync([.. Enumerable.Range(0, 10).Select(_ => new OutputImageRawFrame(rgb, 64, 48, PixelFormat.Rgb24)), new TTSTextFrame("after the frames")]);

        Received first = await client.ReceiveUntilAsync(m => m.Kind == 2);
        Received next = await client.ReceiveUntilAsync(m => m.Kind == 2 || m.Type == "bot_text");
        first.Width.Should().Be(64);
        next.Type.Should().Be("bot_text", "the other nine frames came within the cap's interval and were skipped");
        served.Transport.Output().SentVideoFrames.Should().Be(1);
    }

    [Fact]
    public async Task Transcripts_bot_text_speaking_state_and_interruptions_arrive_as_events()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri);
        await served.WaitForAsync<OutputTransportReadyFrame>();
        DateTimeOffset now = DateTimeOffset.UtcNow;

        await served.Harness.QueueAsync(
            new UserStartedSpeakingFrame(),
            new InterimTranscriptionFrame("hello av", "user-1", now),
            new TranscriptionFrame("hello avatar", "user-1", now),
            new UserStoppedSpeakingFrame(),
            new BotStartedSpeakingFrame(),
            new TTSTextFrame("Hi there."));
        List<string> events = await ReceiveEventsAsync(client, 6);
        // An interruption discards queued frames on its way, so it goes once the others have arrived.
        await served.Harness.QueueAsync(new InterruptionFrame(), new BotStoppedSpeakingFrame());
        events.AddRange(await ReceiveEventsAsync(client, 2));

        // System frames (speaking, interruption) overtake queued data frames, so their order among the text can vary.
        events.Should().BeEquivalentTo(
            "user speaking: True", "transcript interim: hello av", "transcript final: hello avatar", "user speaking: False",
            "bot speaking: True", "bot: Hi there.", "interrupted", "bot speaking: False");
        events.IndexOf("transcript interim: hello av").Should().BeLessThan(events.IndexOf("transcript final: hello avatar"));
    }

    [Fact]
    public async Task Without_a_client_output_media_is_discarded_and_passed_on()
    {
        await using var served = await ServedPipeline.StartAsync();

        await served.Harness.QueueAsync(new OutputAudioRawFrame(new byte[480], 24_000, 1), new OutputImageRawFrame(new byte[12], 2, 2, PixelFormat.Rgb24));

        await served.Harness.WhenAtEnd<OutputImageRawFrame>();
        served.Transport.Output().SentVideoFrames.Should().Be(0);
    }

    [Fact]
    public async Task Errors_travelling_upstream_reach_the_client_as_error_events()
    {
        await using var served = await ServedPipeline.StartAsync(bot: new ErrorOnText());
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri);
        await served.WaitForAsync<OutputTransportReadyFrame>();

        await served.Harness.QueueAsync(new TextFrame("fail"));

        Received error = await client.ReceiveUntilAsync(m => m.Type == "error");
        error.Event!.Value.GetProperty("message").GetString().Should().Be("the speech service is unavailable: try again later");
        error.Event!.Value.GetProperty("fatal").GetBoolean().Should().BeFalse();
    }

    private sealed class ErrorOnText() : Pipeline.Core.Processors.FrameProcessor("error-on-text")
    {
        protected override async ValueTask ProcessFrameAsync(Frame frame, Pipeline.Core.Processors.FrameDirection direction, CancellationToken cancellationToken)
        {
            if (frame is TextFrame { Text: "fail" })
            {
                await PushErrorAsync("the speech service is unavailable: try again later");
                return;
            }

            await PushFrameAsync(frame, direction, cancellationToken);
        }
    }

    private static async Task<List<string>> ReceiveEventsAsync(TestClient client, int count)
    {
        var events = new List<string>();
        while (events.Count < count)
        {
            Received m = await client.ReceiveAsync();
            m.IsClose.Should().BeFalse();
            if (m.Event is { } e)
            {
                events.Add(e.GetProperty("type").GetString() switch
                {
                    "transcript" => $"transcript {(e.GetProperty("final").GetBoolean() ? "final" : "interim")}: {e.GetProperty("text").GetString()}",
                    "bot_text" => $"bot: {e.GetProperty("text").GetString()}",
                    "speaking" => $"{e.GetProperty("who").GetString()} speaking: {e.GetProperty("speaking").GetBoolean()}",
                    string other => other,
                    null => "?",
                });
            }
        }

        return events;
    }
}
