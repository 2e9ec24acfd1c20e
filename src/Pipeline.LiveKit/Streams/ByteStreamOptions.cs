namespace Pipeline.LiveKit;

/// <summary>What a byte stream is about: its topic (receivers pick handlers by it), attributes and addressees.</summary>
public sealed record ByteStreamOptions
{
    /// <summary>The topic, for example <c>lk.audio_stream</c>. Required.</summary>
    public required string Topic { get; init; }

    /// <summary>Free key/value pairs the receiver gets with the stream (for example <c>sample_rate</c>, <c>num_channels</c>).</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    /// <summary>Only these participants receive it; <see langword="null"/> or empty for everyone.</summary>
    public IReadOnlyCollection<string>? DestinationIdentities { get; init; }

    /// <summary>A name for the stream (a file name, say); <see langword="null"/> for the engine's default.</summary>
    public string? Name { get; init; }

    /// <summary>The content type; <see langword="null"/> for <c>application/octet-stream</c>.</summary>
    public string? MimeType { get; init; }

    /// <summary>The total length in bytes when known in advance (lets receivers show progress), else <see langword="null"/>.</summary>
    public long? TotalLength { get; init; }

    internal Protocol.StreamByteOptions ToProto()
    {
        if (string.IsNullOrEmpty(Topic))
        {
            throw new ArgumentException("A byte stream needs a topic (ByteStreamOptions.Topic): receivers choose their handler by it.", nameof(Topic));
        }

        if (TotalLength is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TotalLength), TotalLength, "The total length of a byte stream cannot be negative.");
        }

        var proto = new Protocol.StreamByteOptions { Topic = Topic };
        if (Attributes is not null)
        {
            foreach (KeyValuePair<string, string> attribute in Attributes)
            {
                proto.Attributes[attribute.Key] = attribute.Value;
            }
        }

        if (DestinationIdentities is not null)
        {
            proto.DestinationIdentities.AddRange(DestinationIdentities);
        }

        if (Name is not null)
        {
            proto.Name = Name;
        }

        if (MimeType is not null)
        {
            proto.MimeType = MimeType;
        }

        if (TotalLength is { } length)
        {
            proto.TotalLength = (ulong)length;
        }

        return proto;
    }
}
