namespace Pipeline.LiveKit;

/// <summary>One plane of a video frame (the whole image for packed formats; Y, U or V for I420).</summary>
/// <param name="Data">The plane's bytes: <paramref name="Stride"/> × <paramref name="Rows"/>, over the frame's memory.</param>
/// <param name="Stride">Bytes from the start of one row to the next.</param>
/// <param name="RowBytes">Bytes of pixels in one row (at most <paramref name="Stride"/>).</param>
/// <param name="Rows">Number of rows.</param>
public readonly record struct VideoPlane(ReadOnlyMemory<byte> Data, int Stride, int RowBytes, int Rows);
