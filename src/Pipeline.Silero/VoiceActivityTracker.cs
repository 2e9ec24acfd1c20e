namespace Pipeline.Silero;

/// <summary>
/// The speaking state machine over per-window speech decisions: quiet until <c>startWindows</c> speech windows in a
/// row, speaking until <c>stopWindows</c> non-speech windows in a row. Positions are counted in windows.
/// </summary>
internal sealed class VoiceActivityTracker(int startWindows, int stopWindows)
{
    private long _window;
    private int _run;
    private long _runStart;

    public bool IsSpeaking { get; private set; }

    /// <summary>Feeds the next window's decision.</summary>
    /// <param name="speech">Whether the window holds speech.</param>
    /// <param name="change">The change it completes: kind, and the window index where speech began or after which it ended.</param>
    /// <returns>Whether the state changed.</returns>
    public bool Next(bool speech, out (VoiceActivityKind Kind, long Window) change)
    {
        long index = _window++;
        change = default;
        if (speech != IsSpeaking)
        {
            if (_run == 0)
            {
                _runStart = index;
            }

            _run++;
            int needed = IsSpeaking ? stopWindows : startWindows;
            if (_run >= Math.Max(1, needed))
            {
                IsSpeaking = speech;
                _run = 0;
                change = (speech ? VoiceActivityKind.Started : VoiceActivityKind.Stopped, _runStart);
                return true;
            }
        }
        else
        {
            _run = 0;
        }

        return false;
    }

    public void Reset()
    {
        _window = 0;
        _run = 0;
        IsSpeaking = false;
    }
}
