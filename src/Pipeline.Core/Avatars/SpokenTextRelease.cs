using Pipeline.Core.Frames;

namespace Pipeline.Core.Avatars;

/// <summary>
/// Owns the release of <see cref="TTSTextFrame"/>s as the avatar speaks them: it decides which texts are held (placed by
/// the current utterance's audio sent so far), keeps them in a <see cref="SpokenTextSchedule"/>, pushes the due ones on
/// in order, and wakes the service (a <see cref="DueFrame"/> queued to itself) when the next one falls due.
/// </summary>
/// <remarks>
/// The pushes happen on the service's processing task (<see cref="ReleaseAsync"/> is called from its frame switch), so
/// released texts stay in order with the other frames; timers and the utterance watchers only ask for a wake-up.
/// </remarks>
internal sealed class SpokenTextRelease : IDisposable
{
    private readonly SpokenTextSchedule _schedule = new();
    private readonly Func<TTSTextFrame, CancellationToken, ValueTask> _push;
    private readonly Func<TimeProvider> _time;
    private readonly Func<bool> _closing;
    private readonly Action _wake;
    private long _utteranceBytes;

    /// <param name="push">Pushes a spoken text downstream (on the processing task).</param>
    /// <param name="time">The service's clock (it may change at setup).</param>
    /// <param name="closing">Whether the service is closing: then no wake-up is armed.</param>
    /// <param name="wake">Queues a <see cref="DueFrame"/> to the service, unless it is closing.</param>
    public SpokenTextRelease(Func<TTSTextFrame, CancellationToken, ValueTask> push, Func<TimeProvider> time, Func<bool> closing, Action wake)
    {
        _push = push;
        _time = time;
        _closing = closing;
        _wake = wake;
    }

    /// <summary>A new utterance began: the texts that follow are placed from the start of its audio.</summary>
    public void UtteranceBegun() => Interlocked.Exchange(ref _utteranceBytes, 0);

    /// <summary><paramref name="bytes"/> of the utterance's speech went to the avatar.</summary>
    public void AudioSent(string utteranceId, int bytes)
    {
        Interlocked.Add(ref _utteranceBytes, bytes);
        _schedule.AudioSent(utteranceId, _time().GetUtcNow());
    }

    /// <summary>The avatar reports that it started speaking.</summary>
    public void SpeakingStarted() => _schedule.SpeakingStarted(_time().GetUtcNow());

    /// <summary>
    /// Holds <paramref name="text"/> until the avatar has spoken the audio before it; false (push it on now) for text of
    /// no utterance with audio sent, since nothing will be spoken for it.
    /// </summary>
    public bool TryHold(TTSTextFrame text, IAvatarSession? session, IAvatarUtterance? current)
    {
        if (session is null || current is null
            || (text.ContextId is { } id && !string.Equals(id, current.Id, StringComparison.Ordinal)) || Interlocked.Read(ref _utteranceBytes) == 0)
        {
            return false;
        }

        _schedule.Hold(text, current.Id, SpokenTextSchedule.DurationOf(Interlocked.Read(ref _utteranceBytes), session.SpeechSampleRate));
        return true;
    }

    /// <summary>The avatar finished the utterance: all its texts are due (released at the next <see cref="ReleaseAsync"/>).</summary>
    public void Spoken(string utteranceId) => _schedule.Spoken(utteranceId);

    /// <summary>Asks the service for a <see cref="ReleaseAsync"/> on its processing task.</summary>
    public void QueueRelease() => _wake();

    /// <summary>Pushes the texts due now, in order, and arms the wake-up for the next one.</summary>
    public async ValueTask ReleaseAsync(CancellationToken cancellationToken)
    {
        TimeProvider time = _time();
        List<TTSTextFrame> due = _schedule.TakeDue(time.GetUtcNow(), out DateTimeOffset? next);
        foreach (TTSTextFrame spoken in due)
        {
            await _push(spoken, cancellationToken).ConfigureAwait(false);
        }

        if (next is { } nextDue && !_closing())
        {
            _schedule.Arm(time, nextDue, _wake);
        }
    }

    /// <summary>Interrupted or cancelled: the texts not yet spoken are dropped.</summary>
    public void DropAll() => _schedule.DropAll();

    /// <summary>Stops the wake-up timer for good.</summary>
    public void Dispose() => _schedule.Dispose();

    /// <summary>Queued by the service to itself when held TTS text may have been spoken.</summary>
    internal sealed class DueFrame : ControlFrame;
}
