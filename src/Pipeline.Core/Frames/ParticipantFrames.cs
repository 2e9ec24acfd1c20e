namespace Pipeline.Core.Frames;

/// <summary>
/// A remote participant joined the session an input transport serves (a room participant, a websocket client).
/// A system frame: it reaches every processor at once, ahead of queued media.
/// </summary>
public sealed class ParticipantJoinedFrame : SystemFrame
{
    /// <summary>Creates the frame.</summary>
    /// <param name="identity">The participant's identity in the transport (e.g. a LiveKit participant identity).</param>
    /// <param name="isUser">Whether the transport listens to this participant (its audio becomes the pipeline's input).</param>
    public ParticipantJoinedFrame(string identity, bool isUser)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(identity);
        Identity = identity;
        IsUser = isUser;
    }

    /// <summary>The participant's identity in the transport.</summary>
    public string Identity { get; }

    /// <summary>Whether the transport listens to this participant.</summary>
    public bool IsUser { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}({Identity}{(IsUser ? ", user" : "")})";
}

/// <summary>A remote participant left the session an input transport serves. A system frame.</summary>
public sealed class ParticipantLeftFrame : SystemFrame
{
    /// <summary>Creates the frame.</summary>
    /// <param name="identity">The participant's identity in the transport.</param>
    /// <param name="isUser">Whether the transport was listening to this participant.</param>
    /// <param name="reason">Why it left, when the transport knows (for logs).</param>
    public ParticipantLeftFrame(string identity, bool isUser, string? reason = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(identity);
        Identity = identity;
        IsUser = isUser;
        Reason = reason;
    }

    /// <summary>The participant's identity in the transport.</summary>
    public string Identity { get; }

    /// <summary>Whether the transport was listening to this participant.</summary>
    public bool IsUser { get; }

    /// <summary>Why it left, when known.</summary>
    public string? Reason { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}({Identity}{(IsUser ? ", user" : "")}{(Reason is null ? "" : ", " + Reason)})";
}
