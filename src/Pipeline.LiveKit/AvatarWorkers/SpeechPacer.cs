namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// Keeps the speech streamed to an avatar worker at most <c>lead</c> ahead of real time, across utterances: the
/// worker plays them one after another, so the playout point is one clock for the session, not one per stream. It
/// estimates when the worker will have played everything sent so far (never earlier than now: a producer that stalls
/// lets the worker run dry) and lets a chunk go once sending it keeps that estimate within <c>lead</c> of now.
/// </summary>
/// <remarks>Thread-safe. An interruption resets it: the worker dropped what it held.</remarks>
internal sealed class SpeechPacer
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _lead;
    private readonly long _origin;
    private TimeSpan _playedOutAt;

    public SpeechPacer(TimeProvider time, TimeSpan lead)
    {
        _time = time;
        _lead = lead;
        _origin = time.GetTimestamp();
    }

    /// <summary>How long to wait before sending <paramref name="chunk"/> of audio; zero to send now.</summary>
    public TimeSpan DelayBefore(TimeSpan chunk)
    {
        lock (_gate)
        {
            TimeSpan now = Now;
            TimeSpan ahead = _playedOutAt > now ? _playedOutAt - now : TimeSpan.Zero;
            TimeSpan wait = ahead + chunk - _lead;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
    }

    /// <summary>Records that <paramref name="chunk"/> of audio was sent.</summary>
    public void Sent(TimeSpan chunk)
    {
        lock (_gate)
        {
            TimeSpan now = Now;
            _playedOutAt = (_playedOutAt > now ? _playedOutAt : now) + chunk;
        }
    }

    /// <summary>The worker dropped its buffer: nothing is ahead any more.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _playedOutAt = Now;
        }
    }

    private TimeSpan Now => _time.GetElapsedTime(_origin);
}
