namespace Pipeline.LiveKit;

/// <summary>
/// When each output picture is due, on the pipeline's clock: a picture with a presentation timestamp is due at that
/// time after the first one (anchored to when the first arrived); one without is due one frame interval after the
/// previous picture. Late pictures are due at once; a jump of more than a second either way (a new stream, a stall)
/// re-anchors, so one stall never delays or rushes everything after it.
/// </summary>
internal sealed class OutputVideoPacer
{
    private static readonly TimeSpan s_reanchor = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private long _anchor;
    private TimeSpan _anchorPts;
    private bool _anchored;
    private long _lastDue;
    private bool _hasLast;
    private long _origin = -1;

    public OutputVideoPacer(TimeProvider clock, int framesPerSecond)
    {
        _clock = clock;
        _interval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / framesPerSecond);
    }

    /// <summary>How long to wait before sending a picture with this timestamp (zero when it is due or late).</summary>
    public TimeSpan DelayFor(TimeSpan? presentationTimestamp)
    {
        long now = _clock.GetTimestamp();
        if (_origin < 0)
        {
            _origin = now;
        }

        long due;
        if (presentationTimestamp is { } pts)
        {
            if (!_anchored || Outside(pts - _anchorPts, _clock.GetElapsedTime(_anchor, now)))
            {
                _anchor = now;
                _anchorPts = pts;
                _anchored = true;
            }

            due = _anchor + ToTimestamp(pts - _anchorPts);
        }
        else
        {
            due = _hasLast ? _lastDue + ToTimestamp(_interval) : now;
        }

        if (due < now)
        {
            due = now;
        }

        _lastDue = due;
        _hasLast = true;
        return _clock.GetElapsedTime(now, due);
    }

    /// <summary>Microseconds since the first picture, on the pipeline's clock: the capture timestamp of the picture just paced.</summary>
    public long TimestampMicroseconds => _origin < 0 ? 0 : (long)_clock.GetElapsedTime(_origin, _lastDue).TotalMicroseconds;

    /// <summary>Forgets the timing (an interruption): the next picture anchors anew.</summary>
    public void Reset()
    {
        _anchored = false;
        _hasLast = false;
    }

    private static bool Outside(TimeSpan mediaElapsed, TimeSpan clockElapsed) =>
        mediaElapsed < TimeSpan.Zero || (mediaElapsed - clockElapsed).Duration() > s_reanchor;

    private long ToTimestamp(TimeSpan span) => (long)(span.TotalSeconds * _clock.TimestampFrequency);
}
