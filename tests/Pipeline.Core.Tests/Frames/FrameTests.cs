using Pipeline.Core.Frames;

namespace Pipeline.Core.Tests.Frames;

public sealed class FrameTests
{
    [Fact]
    public void Frames_get_increasing_unique_ids_and_a_name_for_logs()
    {
        var first = new TextFrame("a");
        var second = new EndFrame();

        second.Id.Should().BeGreaterThan(first.Id);
        first.Name.Should().Be($"TextFrame#{first.Id}");
    }

    [Fact]
    public void Frames_are_system_control_or_data_frames()
    {
        new StartFrame().Should().BeAssignableTo<SystemFrame>();
        new CancelFrame().Should().BeAssignableTo<SystemFrame>();
        new InterruptionFrame().Should().BeAssignableTo<SystemFrame>();
        new ErrorFrame("x").Should().BeAssignableTo<SystemFrame>();
        new UserStartedSpeakingFrame().Should().BeAssignableTo<SystemFrame>();
        new BotStoppedSpeakingFrame().Should().BeAssignableTo<SystemFrame>();
        new MetricsFrame([]).Should().BeAssignableTo<SystemFrame>();
        new EndFrame().Should().BeAssignableTo<ControlFrame>().And.BeAssignableTo<IUninterruptibleFrame>();
        new StopFrame().Should().BeAssignableTo<ControlFrame>().And.BeAssignableTo<IUninterruptibleFrame>();
        new TTSStartedFrame { ContextId = "c" }.Should().BeAssignableTo<ControlFrame>();
        new OutputTransportReadyFrame().Should().BeAssignableTo<SystemFrame>();
        new TextFrame("t").Should().BeAssignableTo<DataFrame>();
        new TranscriptionFrame("t", "user", DateTimeOffset.UnixEpoch).Should().BeAssignableTo<TextFrame>();
    }

    [Fact]
    public void Metadata_is_allocated_on_first_use()
    {
        var frame = new TextFrame("x");
        frame.HasMetadata.Should().BeFalse();
        frame.Metadata["k"] = 1;
        frame.HasMetadata.Should().BeTrue();
    }

    [Fact]
    public void Audio_frames_expose_sample_count_and_duration()
    {
        var frame = new TTSAudioRawFrame(new byte[640], 16_000, 1) { ContextId = "u1" };

        frame.SampleCount.Should().Be(320);
        frame.Duration.Should().Be(TimeSpan.FromMilliseconds(20));
        frame.ContextId.Should().Be("u1");
        new SpeechOutputAudioRawFrame(new byte[4], 48_000, 2).SampleCount.Should().Be(1);
    }

    [Theory]
    [InlineData(3, 16_000, 1, "multiple of 2 bytes")]
    [InlineData(6, 16_000, 2, "multiple of 4 bytes")]
    [InlineData(4, 0, 1, "Sample rate")]
    [InlineData(4, 1_000_000, 1, "Sample rate")]
    [InlineData(4, 16_000, 0, "Channel count")]
    [InlineData(4, 16_000, 9, "Channel count")]
    public void Malformed_audio_is_rejected_at_construction_with_a_clear_message(int bytes, int rate, int channels, string expected)
    {
        Action create = () => _ = new InputAudioRawFrame(new byte[bytes], rate, channels);

        create.Should().Throw<ArgumentException>().WithMessage($"*{expected}*");
    }

    [Fact]
    public void Empty_audio_is_a_valid_zero_length_frame()
    {
        new OutputAudioRawFrame(ReadOnlyMemory<byte>.Empty, 24_000, 1).Duration.Should().Be(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(PixelFormat.Rgb24, 4, 2, 24)]
    [InlineData(PixelFormat.Rgba32, 4, 2, 32)]
    [InlineData(PixelFormat.I420, 4, 2, 12)]
    [InlineData(PixelFormat.I420, 3, 3, 9 + 2 * 4)]
    public void Image_frames_accept_exactly_the_buffer_their_format_needs(PixelFormat format, int width, int height, int bytes)
    {
        PixelFormats.BufferSize(format, width, height).Should().Be(bytes);
        var frame = new OutputImageRawFrame(new byte[bytes], width, height, format);
        frame.Width.Should().Be(width);

        Action tooSmall = () => _ = new OutputImageRawFrame(new byte[bytes - 1], width, height, format);
        tooSmall.Should().Throw<ArgumentException>().WithMessage($"*needs {bytes} bytes*");
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, -1)]
    [InlineData(20_000, 10)]
    public void Image_frames_reject_out_of_range_sizes(int width, int height)
    {
        Action create = () => _ = new InputImageRawFrame(new byte[30], width, height, PixelFormat.Rgb24);
        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Error_frames_describe_themselves_with_their_processor()
    {
        var error = new ErrorFrame("socket closed", new IOException("reset"), fatal: true) { ProcessorName = "HeyGen" };

        error.ToString().Should().Contain("fatal").And.Contain("HeyGen").And.Contain("socket closed");
        ((Action)(() => _ = new ErrorFrame(" "))).Should().Throw<ArgumentException>();
    }
}
