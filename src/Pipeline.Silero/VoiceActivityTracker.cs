namespace Pipeline.Silero;

/// <summary>
/// The speaking state machine over per-window speech decisions. Positions are counted in windows.
/// </summary>
/// <remarks>
/// <para>
/// Starting: the user starts speaking once <c>startWindows</c> speech windows have been seen in a candidate. Short
/// dips do not abandon a candidate: real speech has them inside its first 200 ms (the closure of a stop consonant,
/// as in "the quick", drops Silero's probability for 50 to 100 ms). A candidate is abandoned only after
/// <c>startWindows</c> non-speech windows in a row, so isolated speech-like windows in noise never add up.
/// Speech begins at the candidate's first speech window.
/// </para>
/// <para>
/// Stopping: the user stops once <c>stopWindows</c> non-speech windows follow each other; any speech window cancels
/// the stop. Speech ends after its last speech window.
/// </para>
/// </remarks>
internal sealed class VoiceActivityTracker(int startWindows, int stopWindows)
{
    private readonly int _startWindows = Math.Max(1, startWindows);
    private readonly int _stopWindows = Math.Max(1, stopWindows);
    private long _window;
    private long _candidateStart = -1;
    private int _speechCount;
    private int _silenceRun;

    public bool IsSpeaking { get; private set; }

    /// <summary>Feeds the next window's decision.</summary>
    /// <param name="speech">Whether the window holds speech.</param>
    /// <param name="change">The change it completes: kind, and the window index where speech began or after which it ended.</param>
    /// <returns>Whether the state changed.</returns>
    public bool Next(bool speech, out (VoiceActivityKind Kind, long Window) change)
    {
        long index = _window++;
        change = default;
        return IsSpeaking ? NextWhileSpeaking(speech, index, out change) : NextWhileQuiet(speech, index, out change);
    }

    public void Reset()
    {
        _window = 0;
        IsSpeaking = false;
        Abandon();
    }

    private bool NextWhileQuiet(bool speech, long index, out (VoiceActivityKind Kind, long Window) change)
    {
        change = default;
        if (!speech)
        {
            if (_candidateStart >= 0 && ++_silenceRun >= _startWindows)
            {
                Abandon();
            }

            return false;
        }

        if (_candidateStart < 0)
        {
            _candidateStart = index;
        }

        _silenceRun = 0;
        if (++_speechCount < _startWindows)
        {
            return false;
        }

        change = (VoiceActivityKind.Started, _candidateStart);
        IsSpeaking = true;
        Abandon();
        return true;
    }

    private bool NextWhileSpeaking(bool speech, long index, out (VoiceActivityKind Kind, long Window) change)
    {
        change = default;
        if (speech)
        {
            _silenceRun = 0;
            return false;
        }

        if (++_silenceRun < _stopWindows)
        {
            return false;
        }

        // The silence run began (stopWindows - 1) windows ago; speech ended where it began.
        change = (VoiceActivityKind.Stopped, index - _stopWindows + 1);
        IsSpeaking = false;
        Abandon();
        return true;
    }

    private void Abandon()
    {
        _candidateStart = -1;
        _speechCount = 0;
        _silenceRun = 0;
    }
}
