namespace Pipeline.HeyGen.Realtime;

/// <summary>
/// Decides when each chunk of one utterance may leave, like Pipecat: the first <c>burst</c> of audio goes at once, then
/// real time. It estimates the avatar's playhead as advancing in real time from the first chunk but never past the
/// audio it has been given (a stalled producer lets the avatar run dry), and lets a chunk go when that keeps at most
/// <c>burst</c> of audio ahead of the playhead. So 10 s of audio in 1 s chunks leaves as 3 chunks at once, then one a
/// second: the last at 7 s. Not thread-safe: one utterance is spoken by one caller at a time.
/// </summary>
internal sealed class UtterancePacer
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _burst;
    private readonly bool _enabled;
    private TimeSpan _sent;
    private TimeSpan _playhead;
    private long _lastTimestamp;
    private bool _started;

    public UtterancePacer(TimeProvider time, TimeSpan burst, bool enabled)
    {
        _time = time;
        _burst = burst;
        _enabled = enabled;
    }

    /// <summary>Audio handed to the service so far.</summary>
    public TimeSpan Sent => _sent;

    /// <summary>How long to wait before sending a chunk of <paramref name="chunk"/> duration; zero to send now.</summary>
    public TimeSpan DelayBefore(TimeSpan chunk)
    {
        if (!_enabled) return TimeSpan.Zero;
        AdvancePlayhead();
        var ahead = _sent + chunk - _playhead - _burst;
        return ahead > TimeSpan.Zero ? ahead : TimeSpan.Zero;
    }

    /// <summary>Records that a chunk of <paramref name="chunk"/> duration was queued for sending.</summary>
    public void OnSent(TimeSpan chunk)
    {
        AdvancePlayhead();
        if (!_started)
        {
            _started = true;
            _lastTimestamp = _time.GetTimestamp();
        }

        _sent += chunk;
    }

    private void AdvancePlayhead()
    {
        if (!_started) return;
        var now = _time.GetTimestamp();
        var played = _playhead + _time.GetElapsedTime(_lastTimestamp, now);
        _playhead = played < _sent ? played : _sent;
        _lastTimestamp = now;
    }
}
