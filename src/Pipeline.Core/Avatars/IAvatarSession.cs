using Pipeline.Core.Frames;

namespace Pipeline.Core.Avatars;

/// <summary>
/// One open avatar session, provider-neutral: speech goes in as utterances, the avatar's events and media come out.
/// The session keeps itself alive. <see cref="CloseAsync"/> (and disposal) closes everything it opened, exactly once.
/// </summary>
/// <remarks>Members may be called concurrently, except that calls on one utterance must not overlap.</remarks>
public interface IAvatarSession : IAsyncDisposable
{
    /// <summary>The provider's id of the session, for logs.</summary>
    string Id { get; }

    /// <summary>Sample rate of the speech the avatar takes, in Hz (16-bit little-endian mono PCM).</summary>
    int SpeechSampleRate { get; }

    /// <summary>Whether <see cref="SetListeningAsync"/> does anything (a listening pose while the user talks).</summary>
    bool SupportsListening { get; }

    /// <summary>
    /// The avatar's media as pipeline frames (e.g. <see cref="OutputImageRawFrame"/> and
    /// <see cref="SpeechOutputAudioRawFrame"/>), one stream per kind, each in timestamp order and read once. Empty
    /// when the media goes straight to a room and never through the pipeline. A stream ends when the session closes,
    /// and throws the error that ended it otherwise.
    /// </summary>
    IReadOnlyList<IAsyncEnumerable<Frame>> Media { get; }

    /// <summary>
    /// In direct-room mode, the room the avatar publishes into and how people join it (secret tokens); null when the
    /// media comes through <see cref="Media"/> (the default).
    /// </summary>
    AvatarRoomAccess? RoomAccess => null;

    /// <summary>Starts an utterance; its audio goes to the avatar through the returned handle, which owns it.</summary>
    /// <param name="id">The utterance's id (e.g. the TTS context id); unique among the session's open utterances.</param>
    IAvatarUtterance BeginUtterance(string id);

    /// <summary>
    /// Stops the avatar talking: every open utterance is interrupted (its <see cref="IAvatarUtterance.Completion"/>
    /// completes, its remaining audio is dropped) and the avatar is told only if it had been given speech.
    /// </summary>
    ValueTask InterruptAsync(CancellationToken cancellationToken);

    /// <summary>Starts or stops the listening pose; nothing when <see cref="SupportsListening"/> is false.</summary>
    ValueTask SetListeningAsync(bool listening, CancellationToken cancellationToken);

    /// <summary>What the avatar reports (speaking started/stopped, errors, warnings), in order, for one reader.
    /// Ends when the session closes.</summary>
    IAsyncEnumerable<AvatarEvent> ReadEventsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Closes everything the session opened, once: later calls return the same task. Failures to close are reported
    /// as <see cref="AvatarEvent"/>s before the event stream ends and in the returned task's result.
    /// </summary>
    /// <param name="reason">Why, for logs.</param>
    /// <returns>Errors met while closing (empty when all went well); never throws.</returns>
    Task<IReadOnlyList<AvatarError>> CloseAsync(string reason);
}
