using Pipeline.Core.Frames;

namespace Pipeline.LiveKit.Tests;

/// <summary>A VideoSource's frames come back through a VideoStream on its local track: the engine's own path.</summary>
public sealed class LoopbackVideoTests
{
    private const int Width = 320;
    private const int Height = 240;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(PixelFormat.Rgb24, 3)]
    [InlineData(PixelFormat.Rgba32, 4)]
    public async Task Rgba_capture_comes_back_as_colour_bars_in_the_requested_format(PixelFormat format, int bytesPerPixel)
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        byte[] bars = TestPatterns.BarsRgba(Width, Height);
        using (var source = new VideoSource(Width, Height))
        using (var track = LocalVideoTrack.Create("bars", source))
        using (var stream = VideoStream.Create(track, new VideoStreamOptions { Format = format }))
        {
            using VideoFrame frame = await CaptureUntilAsync(source, stream, bars, PixelFormat.Rgba32, f => ShowsBars(f, tolerance: 6));

            frame.Format.Should().Be(format);
            frame.Width.Should().Be(Width);
            frame.Height.Should().Be(Height);
            frame.Planes.Should().ContainSingle().Which.Stride.Should().Be(Width * bytesPerPixel);
            frame.IsPacked.Should().BeTrue();
            frame.PackedData.Length.Should().Be(Width * Height * bytesPerPixel);
            TestPatterns.AssertBars(frame.PackedData.Span, Width, Height, bytesPerPixel, tolerance: 6);
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    [Fact]
    public async Task I420_capture_passes_through_with_the_luma_plane_intact()
    {
        byte[] image = TestPatterns.GradientI420(Width, Height);
        using var source = new VideoSource(Width, Height);
        using var track = LocalVideoTrack.Create("gradient", source);
        using var stream = VideoStream.Create(track, new VideoStreamOptions { Format = PixelFormat.I420 });

        using VideoFrame frame = await CaptureUntilAsync(source, stream, image, PixelFormat.I420, f => HasLuma(f, image));

        frame.Format.Should().Be(PixelFormat.I420);
        frame.Planes.Should().HaveCount(3);
        frame.Planes[0].Stride.Should().BeGreaterThanOrEqualTo(Width);
        frame.Planes[1].Rows.Should().Be(Height / 2);
        byte[] packed = new byte[frame.PackedLength];
        frame.CopyTo(packed);
        packed.AsSpan(0, Width * Height).SequenceEqual(image.AsSpan(0, Width * Height)).Should().BeTrue("the Y plane survives unchanged");
        packed.AsSpan(Width * Height).SequenceEqual(image.AsSpan(Width * Height)).Should().BeTrue("so do U and V");
    }

    [Fact]
    public async Task I420_planes_with_padded_rows_are_captured_in_place_and_come_back_intact()
    {
        const int pad = 32;
        byte[] packed = TestPatterns.GradientI420(Width, Height);
        int chromaWidth = Width / 2;
        int chromaHeight = Height / 2;
        byte[] y = Pad(packed.AsSpan(0, Width * Height), Width, Height, pad);
        byte[] u = Pad(packed.AsSpan(Width * Height, chromaWidth * chromaHeight), chromaWidth, chromaHeight, pad);
        byte[] v = Pad(packed.AsSpan((Width * Height) + (chromaWidth * chromaHeight)), chromaWidth, chromaHeight, pad);
        using var source = new VideoSource(Width, Height);
        using var track = LocalVideoTrack.Create("padded", source);
        using var stream = VideoStream.Create(track, new VideoStreamOptions { Format = PixelFormat.I420 });
        using var timeout = new CancellationTokenSource(Budget);

        VideoFrame? frame = null;
        while (frame is null || !HasLuma(frame, packed))
        {
            frame?.Dispose();
            source.CaptureI420(y, Width + pad, u, chromaWidth + pad, v, chromaWidth + pad, Width, Height);
            frame = await stream.ReadAsync(timeout.Token);
            frame.Should().NotBeNull();
        }

        using (frame)
        {
            byte[] back = new byte[frame.PackedLength];
            frame.CopyTo(back);
            back.Should().Equal(packed, "the padding is skipped and every plane arrives as it was");
        }

        Action tooShort = () => source.CaptureI420(y.AsSpan(0, y.Length - 1), Width + pad, u, chromaWidth + pad, v, chromaWidth + pad, Width, Height);
        tooShort.Should().Throw<ArgumentException>().WithMessage("*Plane y needs a stride of at least 320 bytes and 240 rows*");
    }

    private static byte[] Pad(ReadOnlySpan<byte> plane, int rowBytes, int rows, int pad)
    {
        byte[] padded = new byte[(rowBytes + pad) * rows];
        padded.AsSpan().Fill(0xAA);
        for (int row = 0; row < rows; row++)
        {
            plane.Slice(row * rowBytes, rowBytes).CopyTo(padded.AsSpan(row * (rowBytes + pad)));
        }

        return padded;
    }

    [Fact]
    public async Task A_disposed_frame_refuses_access_to_its_memory()
    {
        using var source = new VideoSource(64, 64);
        using var track = LocalVideoTrack.Create("dispose", source);
        using var stream = VideoStream.Create(track, new VideoStreamOptions { Format = PixelFormat.Rgba32 });
        VideoFrame frame = await CaptureUntilAsync(source, stream, TestPatterns.BarsRgba(64, 64), PixelFormat.Rgba32, _ => true, 64, 64);
        ReadOnlyMemory<byte> pixels = frame.PackedData;

        frame.Dispose();

        Action read = () => _ = pixels.Span[0];
        read.Should().Throw<ObjectDisposedException>();
    }

    internal static bool ShowsBars(VideoFrame frame, int tolerance) =>
        frame.IsPacked && TestPatterns.ShowsBars(frame.PackedData.Span, frame.Width, frame.Height, frame.Planes[0].RowBytes / frame.Width, tolerance);

    private static bool HasLuma(VideoFrame frame, byte[] i420)
    {
        VideoPlane y = frame.Planes[0];
        for (int row = 0; row < frame.Height; row++)
        {
            if (!y.Data.Span.Slice(row * y.Stride, frame.Width).SequenceEqual(i420.AsSpan(row * frame.Width, frame.Width)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Captures the image and reads frames until one passes <paramref name="accept"/>. Until its first capture, a
    /// fresh source emits placeholder frames at 10 fps whose pixels are undefined (uninitialised memory, seen here as
    /// green or noise, not black): they are skipped. If the captured image never comes back intact, the test times out.
    /// </summary>
    internal static async Task<VideoFrame> CaptureUntilAsync(
        VideoSource source, VideoStream stream, byte[] image, PixelFormat format, Func<VideoFrame, bool> accept, int width = Width, int height = Height)
    {
        using var timeout = new CancellationTokenSource(Budget);
        while (true)
        {
            source.Capture(image, width, height, format);
            VideoFrame? frame = await stream.ReadAsync(timeout.Token);
            frame.Should().NotBeNull("the stream must not end while its track lives");
            if (accept(frame!))
            {
                return frame!;
            }

            frame!.Dispose();
        }
    }
}
