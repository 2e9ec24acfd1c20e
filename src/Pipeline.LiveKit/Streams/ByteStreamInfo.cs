namespace Pipeline.LiveKit;

/// <summary>The header of a byte stream, as sent or received.</summary>
public sealed class ByteStreamInfo
{
    internal ByteStreamInfo(Protocol.ByteStreamInfo info)
    {
        StreamId = info.StreamId;
        Topic = info.Topic;
        MimeType = info.MimeType;
        Name = info.Name;
        TotalLength = info.HasTotalLength ? (long)info.TotalLength : null;
        Attributes = new Dictionary<string, string>(info.Attributes, StringComparer.Ordinal);
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(info.Timestamp);
    }

    /// <summary>The stream's unique id.</summary>
    public string StreamId { get; }

    /// <summary>The topic it was sent on.</summary>
    public string Topic { get; }

    /// <summary>The content type.</summary>
    public string MimeType { get; }

    /// <summary>The stream's name.</summary>
    public string Name { get; }

    /// <summary>The announced total length in bytes, or <see langword="null"/> for a stream of unknown length.</summary>
    public long? TotalLength { get; }

    /// <summary>The sender's attributes.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>When the sender opened it (sender's clock, millisecond resolution).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <inheritdoc />
    public override string ToString() => $"byte stream {StreamId} on '{Topic}'";
}
