using Pipeline.Core.Frames;
using Pipeline.Core.Video;

namespace HeyGenAvatarBot.Output;

/// <summary>
/// Keeps small thumbnails of the video at a fixed interval and lays a selection of them, evenly spread over the run,
/// out on a grid saved as a PNG, each with its time and a caption (what was being said then) under it.
/// </summary>
internal sealed class ContactSheet(TimeSpan interval, int thumbWidth = 192, int columns = 4, int maxThumbs = 12)
{
    private readonly List<(TimeSpan At, byte[] Rgb, int Height)> _thumbs = [];
    private TimeSpan _next = TimeSpan.Zero;

    public int Count => _thumbs.Count;

    public void Offer(ImageRawFrame frame, TimeSpan at)
    {
        if (at < _next)
        {
            return;
        }

        _next = at + interval;
        ReadOnlySpan<byte> rgb = frame.Image.Span;
        if (frame.Format == PixelFormat.I420)
        {
            byte[] converted = new byte[frame.Width * frame.Height * 3];
            PixelConverter.I420ToRgb24(frame.Image.Span, frame.Width, frame.Height, converted);
            rgb = converted;
        }
        else if (frame.Format != PixelFormat.Rgb24)
        {
            return;
        }

        int thumbHeight = Math.Max(1, frame.Height * thumbWidth / frame.Width);
        byte[] thumb = new byte[thumbWidth * thumbHeight * 3];
        for (int y = 0; y < thumbHeight; y++)
        {
            int sy = y * frame.Height / thumbHeight;
            for (int x = 0; x < thumbWidth; x++)
            {
                int sx = x * frame.Width / thumbWidth;
                rgb.Slice(((sy * frame.Width) + sx) * 3, 3).CopyTo(thumb.AsSpan(((y * thumbWidth) + x) * 3));
            }
        }

        _thumbs.Add((at, thumb, thumbHeight));
    }

    /// <summary>Saves the sheet; <paramref name="captionAt"/> says what was being said at a thumbnail's time.</summary>
    /// <returns>False when there was no video to show.</returns>
    public bool Save(string path, Func<TimeSpan, string> captionAt)
    {
        if (_thumbs.Count == 0)
        {
            return false;
        }

        int count = Math.Min(maxThumbs, _thumbs.Count);
        var picked = Enumerable.Range(0, count).Select(i => _thumbs[i * (_thumbs.Count - 1) / Math.Max(1, count - 1)]).ToList();
        const int captionLines = 3;
        int thumbHeight = picked[0].Height;
        int cellHeight = thumbHeight + ((1 + captionLines) * BitmapFont.LineHeight) + 2;
        int cols = Math.Min(columns, count);
        int rows = (count + cols - 1) / cols;
        const int gap = 4;
        int width = (cols * thumbWidth) + ((cols + 1) * gap);
        int height = (rows * cellHeight) + ((rows + 1) * gap);
        byte[] sheet = new byte[width * height * 3];
        sheet.AsSpan().Fill(16);
        for (int i = 0; i < picked.Count; i++)
        {
            int ox = gap + ((i % cols) * (thumbWidth + gap));
            int oy = gap + ((i / cols) * (cellHeight + gap));
            for (int y = 0; y < thumbHeight; y++)
            {
                picked[i].Rgb.AsSpan(y * thumbWidth * 3, thumbWidth * 3).CopyTo(sheet.AsSpan((((oy + y) * width) + ox) * 3));
            }

            int ty = oy + thumbHeight + 2;
            BitmapFont.Draw(sheet, width, height, ox, ty, $"{picked[i].At.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} S", (255, 210, 80));
            string caption = captionAt(picked[i].At);
            IReadOnlyList<string> lines = BitmapFont.Wrap(caption, BitmapFont.CharactersIn(thumbWidth), captionLines);
            for (int line = 0; line < lines.Count; line++)
            {
                BitmapFont.Draw(sheet, width, height, ox, ty + ((line + 1) * BitmapFont.LineHeight), lines[line], caption.StartsWith("USER", StringComparison.Ordinal) ? ((byte)140, (byte)200, (byte)255) : ((byte)235, (byte)235, (byte)235));
            }
        }

        PngWriter.Write(path, sheet, width, height);
        return true;
    }
}
