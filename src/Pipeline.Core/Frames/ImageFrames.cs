namespace Pipeline.Core.Frames;

/// <summary>How the pixels of an image are laid out in memory (tightly packed, no row padding).</summary>
public enum PixelFormat
{
    /// <summary>8-bit red, green, blue per pixel: 3 bytes per pixel.</summary>
    Rgb24,

    /// <summary>8-bit red, green, blue, alpha per pixel: 4 bytes per pixel.</summary>
    Rgba32,

    /// <summary>Planar YUV 4:2:0: a full-size Y plane, then quarter-size U and V planes (rounded up).</summary>
    I420,
}

/// <summary>Sizes of pixel buffers.</summary>
public static class PixelFormats
{
    /// <summary>Largest width or height accepted, in pixels.</summary>
    public const int MaxDimension = 16_384;

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> that says what is wrong when the size is out of range, the format
    /// unknown, or the buffer length does not match the size and format.
    /// </summary>
    public static void Validate(int bufferLength, int width, int height, PixelFormat format, string paramName = "image")
    {
        if (width <= 0 || width > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"Width must be 1 to {MaxDimension} pixels.");
        }

        if (height <= 0 || height > MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, $"Height must be 1 to {MaxDimension} pixels.");
        }

        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format.");
        }

        int expected = BufferSize(format, width, height);
        if (bufferLength != expected)
        {
            throw new ArgumentException(
                $"A {width}x{height} {format} image needs {expected} bytes, but the buffer has {bufferLength}.", paramName);
        }
    }

    /// <summary>The number of bytes a tightly packed image of this size and format occupies.</summary>
    public static int BufferSize(PixelFormat format, int width, int height) => format switch
    {
        PixelFormat.Rgb24 => checked(width * height * 3),
        PixelFormat.Rgba32 => checked(width * height * 4),
        PixelFormat.I420 => checked((width * height) + (2 * ((width + 1) / 2) * ((height + 1) / 2))),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format."),
    };
}

/// <summary>A raw image: pixels with a width, height and <see cref="PixelFormat"/>, validated at construction.</summary>
/// <remarks>
/// The pixels are either ordinary memory (kept valid by the producer) or a pooled <see cref="FrameBuffer"/> the frame
/// owns one reference to (<see cref="Frame.PooledBuffer"/>): then reading <see cref="Image"/> after the frame was
/// released throws <see cref="ObjectDisposedException"/> (docs/frame-buffers.md).
/// </remarks>
public abstract class ImageRawFrame : DataFrame
{
    private readonly ReadOnlyMemory<byte> _image;
    private readonly FrameBuffer? _buffer;

    /// <summary>Validates and wraps the pixels.</summary>
    /// <exception cref="ArgumentException">The size is out of range or the buffer does not match it.</exception>
    protected ImageRawFrame(ReadOnlyMemory<byte> image, int width, int height, PixelFormat format)
    {
        PixelFormats.Validate(image.Length, width, height, format, nameof(image));
        _image = image;
        Width = width;
        Height = height;
        Format = format;
    }

    /// <summary>
    /// Validates the pooled pixels and takes over the caller's reference to <paramref name="buffer"/> (on success
    /// only: when this throws, the caller still owns it).
    /// </summary>
    /// <exception cref="ArgumentException">The size is out of range or the buffer does not match it.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="buffer"/> was already released.</exception>
    protected ImageRawFrame(FrameBuffer buffer, int width, int height, PixelFormat format)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ObjectDisposedException.ThrowIf(buffer.IsReleased, buffer);
        PixelFormats.Validate(buffer.Length, width, height, format, nameof(buffer));
        _buffer = buffer;
        Width = width;
        Height = height;
        Format = format;
    }

    /// <summary>The pixels, tightly packed.</summary>
    /// <exception cref="ObjectDisposedException">The frame's pooled buffer was released (the frame was used past its
    /// last reference).</exception>
    public ReadOnlyMemory<byte> Image => _buffer is { } buffer ? buffer.Memory : _image;

    /// <inheritdoc />
    public override FrameBuffer? PooledBuffer => _buffer;

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Pixel layout.</summary>
    public PixelFormat Format { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}({Width}x{Height} {Format})";
}

/// <summary>An image captured from the user (e.g. a camera).</summary>
public sealed class InputImageRawFrame : ImageRawFrame
{
    /// <summary>Wraps pixels the producer keeps valid while the frame is in use.</summary>
    /// <exception cref="ArgumentException">The size is out of range or the buffer does not match it.</exception>
    public InputImageRawFrame(ReadOnlyMemory<byte> image, int width, int height, PixelFormat format)
        : base(image, width, height, format)
    {
    }

    /// <summary>Wraps pooled pixels; the frame takes over the caller's reference (docs/frame-buffers.md).</summary>
    /// <exception cref="ArgumentException">The size is out of range or the buffer does not match it.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="buffer"/> was already released.</exception>
    public InputImageRawFrame(FrameBuffer buffer, int width, int height, PixelFormat format)
        : base(buffer, width, height, format)
    {
    }
}

/// <summary>An image on its way to an output transport (e.g. an avatar's video frame).</summary>
public sealed class OutputImageRawFrame : ImageRawFrame
{
    /// <summary>Wraps pixels the producer keeps valid while the frame is in use.</summary>
    /// <exception cref="ArgumentException">The size is out of range or the buffer does not match it.</exception>
    public OutputImageRawFrame(ReadOnlyMemory<byte> image, int width, int height, PixelFormat format)
        : base(image, width, height, format)
    {
    }

    /// <summary>Wraps pooled pixels; the frame takes over the caller's reference (docs/frame-buffers.md).</summary>
    /// <exception cref="ArgumentException">The size is out of range or the buffer does not match it.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="buffer"/> was already released.</exception>
    public OutputImageRawFrame(FrameBuffer buffer, int width, int height, PixelFormat format)
        : base(buffer, width, height, format)
    {
    }
}
