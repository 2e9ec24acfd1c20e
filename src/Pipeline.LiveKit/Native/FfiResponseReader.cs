namespace Pipeline.LiveKit.Native;

/// <summary>
/// Reads the one number a per-frame response carries (the <c>async_id</c> of a capture) straight from the response
/// bytes, so the hot capture path does not build an <see cref="Protocol.FfiResponse"/> per frame.
/// </summary>
internal static class FfiResponseReader
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLength = 2;
    private const int WireFixed32 = 5;

    /// <summary>Field 1 (a varint) of the message in oneof case <paramref name="responseCase"/>, or 0 if absent.</summary>
    public static ulong ReadAsyncId(ReadOnlySpan<byte> response, int responseCase)
    {
        int at = 0;
        while (at < response.Length)
        {
            ulong key = ReadVarint(response, ref at);
            int number = (int)(key >> 3);
            int wire = (int)(key & 7);
            if (number == responseCase && wire == WireLength)
            {
                int length = checked((int)ReadVarint(response, ref at));
                ReadOnlySpan<byte> inner = response.Slice(at, length);
                int innerAt = 0;
                while (innerAt < inner.Length)
                {
                    ulong innerKey = ReadVarint(inner, ref innerAt);
                    if (innerKey == ((1 << 3) | WireVarint))
                    {
                        return ReadVarint(inner, ref innerAt);
                    }

                    Skip(inner, ref innerAt, (int)(innerKey & 7));
                }

                return 0;
            }

            Skip(response, ref at, wire);
        }

        return 0;
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int at, int wire)
    {
        switch (wire)
        {
            case WireVarint:
                ReadVarint(data, ref at);
                break;
            case WireFixed64:
                at += 8;
                break;
            case WireLength:
                at += checked((int)ReadVarint(data, ref at));
                break;
            case WireFixed32:
                at += 4;
                break;
            default:
                throw new LiveKitException($"The engine sent a response with an unsupported wire type {wire}.");
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new LiveKitException("The engine sent a malformed response (varint too long).");
    }
}
