namespace Pipeline.Core.Avatars;

/// <summary>
/// One utterance of the avatar, owned by one object: it takes the audio, ends, and says how it ended. Audio is cut
/// into the provider's messages here and nowhere else.
/// </summary>
public interface IAvatarUtterance
{
    /// <summary>The utterance's id.</summary>
    string Id { get; }

    /// <summary>Whether any audio of it went to the avatar.</summary>
    bool HasSpeech { get; }

    /// <summary>Adds audio: 16-bit little-endian mono PCM at the session's <see cref="IAvatarSession.SpeechSampleRate"/>.
    /// Copied before return. Ignored once the utterance was interrupted.</summary>
    /// <exception cref="Exception">The provider's failure when the audio could not be sent (the utterance is then lost:
    /// <see cref="Completion"/> faults with it too).</exception>
    ValueTask AppendAsync(ReadOnlyMemory<byte> pcm, CancellationToken cancellationToken);

    /// <summary>Sends what is buffered and tells the avatar the utterance is complete. Idempotent.</summary>
    ValueTask EndAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Completes when the avatar has spoken the utterance or it was interrupted (or it had no audio and ended);
    /// faults when it was lost (e.g. the connection dropped before the avatar had all of it).
    /// </summary>
    Task Completion { get; }
}
