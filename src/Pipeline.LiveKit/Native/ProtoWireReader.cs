namespace Pipeline.LiveKit.Native;

/// <summary>
/// Reads the few numbers the per-frame paths need straight from protobuf bytes, without building messages: the
/// <c>async_id</c> of a capture response, and the levels of a log batch (to skip parsing records nobody logs).
/// </summary>
internal static class ProtoWireReader
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

    /// <summary>
    /// The message in field <paramref name="number"/> if it is the first field of <paramref name="message"/> (an
    /// envelope whose oneof holds it), else empty.
    /// </summary>
    public static ReadOnlySpan<byte> FirstMessage(ReadOnlySpan<byte> message, int number)
    {
        int at = 0;
        if (message.IsEmpty || ReadVarint(message, ref at) != (((ulong)number << 3) | WireLength))
        {
            return default;
        }

        int length = checked((int)ReadVarint(message, ref at));
        return message.Slice(at, length);
    }

    /// <summary>Whether any record of a serialized LogBatch has a level (field 1 of each record) that <paramref name="wanted"/> accepts.</summary>
    public static bool AnyLogRecord(ReadOnlySpan<byte> batch, Func<int, bool> wanted)
    {
        int at = 0;
        while (at < batch.Length)
        {
            ulong key = ReadVarint(batch, ref at);
            if (key != ((1 << 3) | WireLength))
            {
                Skip(batch, ref at, (int)(key & 7));
                continue;
            }

            int length = checked((int)ReadVarint(batch, ref at));
            ReadOnlySpan<byte> record = batch.Slice(at, length);
            at += length;
            int level = 0; // absent: the first value, LOG_ERROR
            int recordAt = 0;
            while (recordAt < record.Length)
            {
                ulong recordKey = ReadVarint(record, ref recordAt);
                if (recordKey == ((1 << 3) | WireVarint))
                {
                    level = (int)ReadVarint(record, ref recordAt);
                    break;
                }

                Skip(record, ref recordAt, (int)(recordKey & 7));
            }

            if (wanted(level))
            {
                return true;
            }
        }

        return false;
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
