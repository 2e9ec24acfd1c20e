namespace Pipeline.Core.Avatars;

/// <summary>
/// For TTS without start/stop frames: an utterance ends after a stretch of silence. When the timer fires it only calls
/// back with the utterance it was armed for (the service queues a frame to itself), so the end is handled on the
/// processing task, in order with the audio; a later <see cref="Arm"/> or <see cref="Disarm"/> supersedes it.
/// </summary>
internal sealed class UtteranceEndTimer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _silence;
    private readonly Action<string, long> _due;
    private ITimer? _timer;
    private (string Id, long Sequence) _target;

    /// <param name="silence">How long without audio ends the utterance.</param>
    /// <param name="due">Called on a timer thread with the utterance id and the audio sequence it was armed at.</param>
    public UtteranceEndTimer(TimeSpan silence, Action<string, long> due)
    {
        _silence = silence;
        _due = due;
    }

    /// <summary>(Re)starts the silence count for <paramref name="utteranceId"/> after its audio number <paramref name="sequence"/>.</summary>
    public void Arm(TimeProvider time, string utteranceId, long sequence)
    {
        lock (_gate)
        {
            _timer ??= time.CreateTimer(static state => ((UtteranceEndTimer)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _target = (utteranceId, sequence);
            _timer.Change(_silence, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops the count (the utterance ended or was interrupted).</summary>
    public void Disarm()
    {
        lock (_gate)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Fire()
    {
        (string Id, long Sequence) target;
        lock (_gate)
        {
            target = _target;
        }

        _due(target.Id, target.Sequence);
    }
}

/// <summary>Queued by the avatar service to itself when an utterance without TTS stop frames has gone quiet.</summary>
internal sealed class UtteranceTimeoutFrame(string utteranceId, long sequence) : Frames.ControlFrame
{
    public string UtteranceId { get; } = utteranceId;

    public long Sequence { get; } = sequence;
}
