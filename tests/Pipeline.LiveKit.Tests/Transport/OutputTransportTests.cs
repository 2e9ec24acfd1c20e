using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Testing;

namespace Pipeline.LiveKit.Tests.Transport;

/// <summary>The output processor's frame handling, over a recorded room: readiness, pacing, bad input, interruption.</summary>
public sealed class OutputTransportTests
{
    private static LiveKitTransportOptions Options(int width = 4, int height = 2, int fps = 10) => new()
    {
        Url = new Uri("ws://127.0.0.1:1"),
        Token = "unused",
        VideoWidth = width,
        VideoHeight = height,
        VideoFramesPerSecond = fps,
    };

    private static OutputImageRawFrame Picture(int width = 4, int height = 2, PixelFormat format = PixelFormat.Rgba32, TimeSpan? pts = null) =>
        new(new byte[PixelFormats.BufferSize(format, width, height)], width, height, format) { PresentationTimestamp = pts };

    [Fact]
    public async Task Publishing_at_start_announces_the_transport_upstream_with_the_pipelines_output_rate()
    {
        var link = new FakeOutputLink(TimeProvider.System);

        FrameProcessorTestResult result = await FrameProcessorTester.RunAsync(
            new LiveKitOutputTransport(link, Options()), [new TextFrame("passes")],
            new FrameProcessorTesterOptions { TaskOptions = new PipelineTaskOptions { AudioOutSampleRate = 48_000 } });

        link.Published.Should().Be(new OutputMediaFormat(4, 2, 48_000, 1));
        result.Upstream.Should().ContainSingle().Which.Should().BeOfType<OutputTransportReadyFrame>();
        result.Downstream.Should().ContainSingle().Which.Should().BeOfType<TextFrame>("frames other than media pass on");
        link.Releases.Should().Be(1, "the output releases the room once, at its EndFrame");
    }

    [Fact]
    public async Task A_publish_failure_is_fatal_and_says_why()
    {
        var link = new FakeOutputLink(TimeProvider.System, new LiveKitException("server said no"));

        FrameProcessorTestResult result = await FrameProcessorTester.RunAsync(new LiveKitOutputTransport(link, Options()), []);

        result.Reason.Should().Be(PipelineFinishReason.Failed);
        result.FatalError!.Message.Should().Contain("could not publish").And.Contain("server said no");
        result.Upstream.OfType<OutputTransportReadyFrame>().Should().BeEmpty();
    }

    [Fact]
    public async Task Pictures_without_timestamps_go_out_at_the_frame_rate_and_with_timestamps_at_their_time()
    {
        var clock = new FakeTimeProvider();
        var link = new FakeOutputLink(clock);
        await using var harness = new PipelineHarness(new FramePipeline(new LiveKitOutputTransport(link, Options(fps: 10))), new PipelineTaskOptions { IdleTimeout = null }, clock);
        harness.Start();

        await harness.QueueAsync(Picture(), Picture(), Picture(), Picture(pts: TimeSpan.FromSeconds(5)), Picture(pts: TimeSpan.FromSeconds(5.5)));
        await harness.AdvanceUntilAsync(() => link.Video.Count == 5, TimeSpan.FromSeconds(2), "five pictures sent", TimeSpan.FromMilliseconds(10));

        TimeSpan[] at = [.. link.Video.Select(v => v.At)];
        at[1].Should().Be(at[0] + TimeSpan.FromMilliseconds(100), "10 fps");
        at[2].Should().Be(at[1] + TimeSpan.FromMilliseconds(100));
        at[4].Should().Be(at[3] + TimeSpan.FromMilliseconds(500), "timestamped pictures keep their spacing");
        await harness.QueueAsync(new EndFrame());
        (await harness.FinishAsync()).RunningTaskCount.Should().Be(0);
    }

    [Fact]
    public async Task Rgb24_pictures_are_sent_as_i420_and_rgba_and_i420_as_they_are()
    {
        var link = new FakeOutputLink(TimeProvider.System);

        await FrameProcessorTester.RunAsync(
            new LiveKitOutputTransport(link, Options(fps: 120)),
            [Picture(format: PixelFormat.Rgb24, pts: TimeSpan.Zero), Picture(format: PixelFormat.Rgba32, pts: TimeSpan.Zero), Picture(format: PixelFormat.I420, pts: TimeSpan.Zero)]);

        link.Video.Select(v => v.Format).Should().Equal(PixelFormat.I420, PixelFormat.Rgba32, PixelFormat.I420);
        link.Video.First().Pixels.Length.Should().Be(PixelFormats.BufferSize(PixelFormat.I420, 4, 2));
    }

    [Fact]
    public async Task Pictures_of_the_wrong_size_are_dropped_counted_and_reported_once_with_what_to_change()
    {
        var link = new FakeOutputLink(TimeProvider.System);
        var output = new LiveKitOutputTransport(link, Options());

        FrameProcessorTestResult result = await FrameProcessorTester.RunAsync(output, [Picture(6, 2), Picture(6, 2), Picture(pts: TimeSpan.Zero)]);

        link.Video.Should().ContainSingle("only the picture of the track's size is sent");
        output.RejectedVideoFrames.Should().Be(2);
        ErrorFrame error = result.Upstream.OfType<ErrorFrame>().Should().ContainSingle("one report per distinct problem").Subject;
        error.IsFatal.Should().BeFalse();
        error.Message.Should().Contain("6x2").And.Contain("4x2").And.Contain("VideoWidth").And.Contain("RejectedVideoFrames");
    }

    [Fact]
    public async Task Audio_with_the_wrong_channel_count_is_reported_and_mono_at_another_rate_is_resampled()
    {
        var link = new FakeOutputLink(TimeProvider.System);
        var output = new LiveKitOutputTransport(link, Options());

        FrameProcessorTestResult result = await FrameProcessorTester.RunAsync(
            output,
            [new OutputAudioRawFrame(new byte[480 * 4], 24_000, 2), new OutputAudioRawFrame(TestPatterns.Tone(440, 16_000, 1, 1600, 8000, 0), 16_000, 1)],
            new FrameProcessorTesterOptions { TaskOptions = new PipelineTaskOptions { AudioOutSampleRate = 24_000 } });

        output.RejectedAudioFrames.Should().Be(1);
        result.Upstream.OfType<ErrorFrame>().Should().ContainSingle().Which.Message.Should().Contain("2-channel").And.Contain("OutputChannels");
        output.SentAudioSamples.Should().BeInRange(2400 - 128, 2400, "100 ms at 16 kHz is 100 ms at 24 kHz, less the few ms the filter holds back");
    }

    [Fact]
    public async Task An_interruption_clears_the_queued_audio()
    {
        var link = new FakeOutputLink(TimeProvider.System);

        FrameProcessorTestResult result = await FrameProcessorTester.RunAsync(
            new LiveKitOutputTransport(link, Options()),
            [new OutputAudioRawFrame(new byte[960], 24_000, 1), new InterruptionFrame()]);

        link.Clears.Should().Be(1);
        result.Downstream.OfType<InterruptionFrame>().Should().ContainSingle("the interruption travels on");
    }
}
