using Pipeline.Core.Frames;
using Pipeline.Core.Media;

namespace Pipeline.Core.Tests.Frames;

public sealed class FrameBufferTests
{
    private const int Width = 320;
    private const int Height = 180;
    private static readonly int RgbSize = PixelFormats.BufferSize(PixelFormat.Rgb24, Width, Height);

    private static FrameBufferPool NewPool(bool throwOnDoubleRelease = true) =>
        new(new FrameBufferPoolOptions { ThrowOnDoubleRelease = throwOnDoubleRelease });

    [Fact]
    public void A_rented_buffer_has_one_reference_and_its_last_release_returns_it_for_reuse()
    {
        FrameBufferPool pool = NewPool();
        FrameBuffer first = pool.Rent(RgbSize);
        first.ReferenceCount.Should().Be(1);
        first.Length.Should().Be(RgbSize);
        pool.Outstanding.Should().Be(1);

        first.Release();
        FrameBuffer second = pool.Rent(RgbSize);
        second.Release();

        first.IsReleased.Should().BeTrue();
        pool.Outstanding.Should().Be(0);
        pool.Rented.Should().Be(2);
        pool.Allocated.Should().Be(1, "the second rental of the same length reuses the returned array");
        pool.RetainedBytes.Should().Be(RgbSize);
    }

    [Fact]
    public void A_retained_buffer_returns_only_after_every_reference_is_released()
    {
        FrameBufferPool pool = NewPool();
        FrameBuffer buffer = pool.Rent(RgbSize);

        buffer.Retain().Should().BeSameAs(buffer);
        buffer.Release();

        buffer.IsReleased.Should().BeFalse();
        buffer.Span[0] = 7; // still the holder's memory
        pool.Outstanding.Should().Be(1);
        buffer.Release();
        pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public void Reading_a_frame_after_its_release_throws_ObjectDisposedException_instead_of_showing_reused_memory()
    {
        FrameBufferPool pool = NewPool();
        var frame = new OutputImageRawFrame(pool.Rent(RgbSize), Width, Height, PixelFormat.Rgb24);
        ReadOnlyMemory<byte> takenEarlier = frame.Image;

        frame.Release();
        FrameBuffer reuser = pool.Rent(RgbSize); // the same array, now another frame's

        FluentActions.Invoking(() => frame.Image).Should().Throw<ObjectDisposedException>().WithMessage("*Retain*");
        FluentActions.Invoking(() => takenEarlier.Span[0]).Should().Throw<ObjectDisposedException>();
        FluentActions.Invoking(() => frame.Retain()).Should().Throw<ObjectDisposedException>();
        reuser.Span.Length.Should().Be(RgbSize, "the new rental is unaffected");
        reuser.Release();
    }

    [Fact]
    public void A_double_release_is_counted_returns_the_memory_once_and_throws_when_asked_to()
    {
        FrameBufferPool lenient = NewPool(throwOnDoubleRelease: false);
        FrameBuffer buffer = lenient.Rent(RgbSize);
        buffer.Release();
        buffer.Release();
        buffer.Release();

        lenient.DoubleReleases.Should().Be(2);
        lenient.Outstanding.Should().Be(0);
        lenient.RetainedBytes.Should().Be(RgbSize, "the array went back to the pool once");

        FrameBufferPool strict = NewPool(throwOnDoubleRelease: true);
        FrameBuffer other = strict.Rent(RgbSize);
        other.Release();
        FluentActions.Invoking(other.Release).Should().Throw<InvalidOperationException>().WithMessage("*released more times than it was retained*");
        strict.DoubleReleases.Should().Be(1);
    }

    [Fact]
    public void A_pin_holds_its_own_reference_until_the_handle_is_disposed()
    {
        FrameBufferPool pool = NewPool();
        FrameBuffer buffer = pool.Rent(RgbSize);
        buffer.Span[3] = 42;

        System.Buffers.MemoryHandle pin = buffer.Pin();
        buffer.Release();

        pool.Outstanding.Should().Be(1, "native code still reads the pinned pixels");
        unsafe
        {
            ((byte*)pin.Pointer)[3].Should().Be(42);
        }

        pin.Dispose();
        pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public void Frames_over_plain_memory_work_as_before_and_retain_and_release_do_nothing()
    {
        byte[] pixels = new byte[RgbSize];
        var frame = new OutputImageRawFrame(pixels, Width, Height, PixelFormat.Rgb24);

        frame.Retain();
        frame.Release();
        frame.Release();

        frame.PooledBuffer.Should().BeNull();
        frame.Image.Length.Should().Be(RgbSize);
        new InputImageRawFrame(pixels, Width, Height, PixelFormat.Rgb24).Image.Length.Should().Be(RgbSize);
    }

    [Fact]
    public void A_pooled_buffer_of_the_wrong_size_is_refused_and_stays_with_the_caller()
    {
        FrameBufferPool pool = NewPool();
        FrameBuffer buffer = pool.Rent(RgbSize - 3);

        FluentActions.Invoking(() => new OutputImageRawFrame(buffer, Width, Height, PixelFormat.Rgb24))
            .Should().Throw<ArgumentException>().WithMessage("*needs*bytes*");
        buffer.IsReleased.Should().BeFalse();
        buffer.Release();

        FluentActions.Invoking(() => new OutputImageRawFrame(buffer, Width, Height, PixelFormat.Rgb24))
            .Should().Throw<ObjectDisposedException>("a released buffer cannot become a frame");
    }

    [Fact]
    public void An_I420_frame_travels_in_a_pooled_buffer_of_the_I420_size()
    {
        FrameBufferPool pool = NewPool();
        int size = PixelFormats.BufferSize(PixelFormat.I420, 1280, 720);
        var frame = new OutputImageRawFrame(pool.Rent(size), 1280, 720, PixelFormat.I420);

        frame.Image.Length.Should().Be(1280 * 720 * 3 / 2);
        frame.Format.Should().Be(PixelFormat.I420);
        frame.Release();
        pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public void Small_buffers_come_from_the_shared_array_pool_and_are_counted_like_large_ones()
    {
        FrameBufferPool pool = NewPool();
        FrameBuffer audio = pool.RentCopy(new byte[960]);

        audio.Length.Should().Be(960);
        audio.Release();

        pool.Outstanding.Should().Be(0);
        pool.Allocated.Should().Be(0, "only large arrays are the pool's own");
        pool.RetainedBytes.Should().Be(0);
    }

    [Fact]
    public void Idle_arrays_beyond_the_retention_limit_are_left_to_the_garbage_collector()
    {
        var pool = new FrameBufferPool(new FrameBufferPoolOptions { MaxRetainedBytes = RgbSize * 2L });
        FrameBuffer[] out3 = [pool.Rent(RgbSize), pool.Rent(RgbSize), pool.Rent(RgbSize)];

        foreach (FrameBuffer b in out3)
        {
            b.Release();
        }

        pool.RetainedBytes.Should().Be(RgbSize * 2L);
        pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public void Bad_pool_settings_and_lengths_are_refused_with_what_is_wrong()
    {
        FluentActions.Invoking(() => new FrameBufferPool(new FrameBufferPoolOptions { MaxBufferLength = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*at least 1 byte*");
        FluentActions.Invoking(() => NewPool().Rent(0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaxBufferLength*");
    }

    [Fact]
    public void A_remote_video_buffer_hands_its_pooled_buffer_over_without_a_copy()
    {
        FrameBufferPool pool = NewPool();
        FrameBuffer pixels = pool.Rent(RgbSize);
        var remote = new RemoteVideoBuffer(pixels, Width, Height, PixelFormat.Rgb24, TimeSpan.Zero);

        FrameBuffer? taken = remote.TakeFrameBuffer();
        remote.Dispose();

        taken.Should().BeSameAs(pixels);
        pixels.IsReleased.Should().BeFalse("the taker owns the reference now");
        remote.TakeFrameBuffer().Should().BeNull("it was taken once");
        new RemoteVideoBuffer(new byte[RgbSize], Width, Height, PixelFormat.Rgb24, TimeSpan.Zero).TakeFrameBuffer()
            .Should().BeNull("plain memory has no pooled buffer to take");
        taken!.Release();

        var disposedUntaken = new RemoteVideoBuffer(pool.Rent(RgbSize), Width, Height, PixelFormat.Rgb24, TimeSpan.Zero);
        disposedUntaken.Dispose();
        pool.Outstanding.Should().Be(0);
    }
}
