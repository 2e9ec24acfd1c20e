namespace Pipeline.Core.Media;

/// <summary>
/// A joined avatar room: the avatar participant's video and audio as asynchronous streams, and participant events.
/// Disposing it leaves the room and releases every frame buffer it still owns.
/// </summary>
public interface IAvatarMediaSession : IAsyncDisposable
{
    /// <summary>A participant joined the room (raised from the session's own task, never a native thread).</summary>
    event EventHandler<AvatarParticipantEventArgs>? ParticipantJoined;

    /// <summary>A participant left the room.</summary>
    event EventHandler<AvatarParticipantEventArgs>? ParticipantLeft;

    /// <summary>Whether the avatar participant is in the room now.</summary>
    bool AvatarPresent { get; }

    /// <summary>
    /// The avatar's video frames, in timestamp order, until the session ends. Each frame must be disposed by the
    /// reader (it may hold pooled or native memory). Only one reader at a time.
    /// </summary>
    IAsyncEnumerable<RemoteVideoBuffer> ReadVideoAsync(CancellationToken cancellationToken);

    /// <summary>The avatar's audio frames (16-bit PCM), in timestamp order, until the session ends. Only one reader.</summary>
    IAsyncEnumerable<RemoteAudioBuffer> ReadAudioAsync(CancellationToken cancellationToken);
}

/// <summary>A participant of the avatar room.</summary>
/// <param name="Identity">The participant's identity.</param>
/// <param name="IsAvatar">Whether this is the avatar participant.</param>
public sealed record AvatarParticipantEventArgs(string Identity, bool IsAvatar);

/// <summary>The media connection failed (join refused, timed out, library missing).</summary>
public sealed class AvatarMediaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AvatarMediaException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AvatarMediaException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public AvatarMediaException(string message)
        : base(message)
    {
    }
}
