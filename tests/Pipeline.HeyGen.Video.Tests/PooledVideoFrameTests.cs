using Pipeline.Core.Frames;
using Pipeline.HeyGen.Testing;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>
/// The avatar's video travels in pooled frame buffers (docs/frame-buffers.md): the emulator renders into the service's
/// pool, the service passes the buffer on into each OutputImageRawFrame, and every buffer is back once the run ended.
/// </summary>
public sealed class PooledVideoFrameTests
{
    private readonly FrameBufferPool _pool = new(new FrameBufferPoolOptions { ThrowOnDoubleRelease = true });

    [Theory]
    [InlineData(PixelFormat.Rgb24)]
    [InlineData(PixelFormat.I420)]
    public async Task Every_video_buffer_of_a_speaking_session_is_returned_once_the_run_ends(PixelFormat format)
    {
        AvatarHarness h = await AvatarHarness.CreateAsync(configure: o =>
        {
            o.FramePool = _pool;
            o.VideoFormat = format;
        });
        try
        {
            h.Start();
            await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
            await h.QueueAsync(new OutputTransportReadyFrame());
            byte[] speech = Speech.Make(TimeSpan.FromMilliseconds(600), 24_000);
            await h.QueueAsync([new TTSStartedFrame { ContextId = "p" }, .. Speech.TtsFrames(speech, 24_000, "p"), new TTSStoppedFrame { ContextId = "p" }]);
            await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), TimeSpan.FromSeconds(3), "the avatar finishing");
            await h.QueueAsync(new EndFrame());
            await h.FinishAsync();

            IReadOnlyList<OutputImageRawFrame> video = h.Video;
            video.Should().HaveCountGreaterThan(10);
            video.Should().OnlyContain(v => v.PooledBuffer != null && v.PooledBuffer.Pool == _pool && v.Format == format);
            video[^1].Image.Length.Should().Be(PixelFormats.BufferSize(format, video[^1].Width, video[^1].Height), "the harness keeps recorded frames readable");
            h.Errors.Should().BeEmpty();
        }
        finally
        {
            await h.DisposeAsync();
        }

        _pool.Rented.Should().BeGreaterThan(10);
        _pool.Outstanding.Should().Be(0, "every rented buffer went back to the pool");
        _pool.DoubleReleases.Should().Be(0);
    }

    [Fact]
    public async Task Video_dropped_before_the_transport_is_ready_and_video_in_flight_at_a_cancel_is_returned()
    {
        AvatarHarness h = await AvatarHarness.CreateAsync(configure: o => o.FramePool = _pool);
        try
        {
            h.Start();
            await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
            await h.AdvanceUntilAsync(() => h.Service.VideoFramesDroppedBeforeReady >= 5, TimeSpan.FromSeconds(2), "video dropped before ready");
            await h.QueueAsync(new OutputTransportReadyFrame());
            await h.AdvanceUntilAsync(() => h.Video.Count >= 5, TimeSpan.FromSeconds(2), "video after ready");

            h.Task.Cancel();
            await h.EndAsync();
        }
        finally
        {
            await h.DisposeAsync();
        }

        _pool.Rented.Should().BeGreaterThan(10);
        _pool.Outstanding.Should().Be(0);
        _pool.DoubleReleases.Should().Be(0);
    }
}
