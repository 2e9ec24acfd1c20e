using System.Globalization;
using System.Text;
using Pipeline.Core.Frames;
using Pipeline.Core.Video;

namespace HeyGenAvatarBot.Output;

/// <summary>Writes raw video as YUV4MPEG2 (.y4m): a text header, then one I420 picture per FRAME line.</summary>
internal sealed class Y4mWriter : IDisposable
{
    private static readonly byte[] FrameMarker = "FRAME\n"u8.ToArray();
    private readonly FileStream _stream;
    private readonly byte[] _i420;

    public Y4mWriter(string path, int width, int height, double frameRate)
    {
        Width = width;
        Height = height;
        _stream = File.Create(path);
        _i420 = new byte[PixelFormats.BufferSize(PixelFormat.I420, width, height)];
        (int num, int den) = ((int)Math.Round(frameRate * 1000), 1000);
        string header = string.Create(CultureInfo.InvariantCulture, $"YUV4MPEG2 W{width} H{height} F{num}:{den} Ip A1:1 C420jpeg\n");
        _stream.Write(Encoding.ASCII.GetBytes(header));
    }

    public int Width { get; }

    public int Height { get; }

    public int Frames { get; private set; }

    public void Write(ImageRawFrame frame)
    {
        if (frame.Width != Width || frame.Height != Height)
        {
            throw new InvalidOperationException($"Frame is {frame.Width}x{frame.Height}; this video is {Width}x{Height}.");
        }

        ReadOnlySpan<byte> picture = frame.Format switch
        {
            PixelFormat.I420 => frame.Image.Span,
            PixelFormat.Rgb24 => Convert(frame.Image.Span),
            _ => throw new NotSupportedException($"{frame.Format} frames are not written; request RGB24 or I420."),
        };
        _stream.Write(FrameMarker);
        _stream.Write(picture);
        Frames++;
    }

    public void Dispose() => _stream.Dispose();

    private byte[] Convert(ReadOnlySpan<byte> rgb)
    {
        PixelConverter.Rgb24ToI420(rgb, Width, Height, _i420);
        return _i420;
    }
}
