using Pipeline.Silero;

namespace Pipeline.Speech.Tests;

public sealed class VoiceActivityTrackerTests
{
    [Fact]
    public void Speech_starts_after_start_windows_of_speech_at_the_first_speech_window()
    {
        var tracker = new VoiceActivityTracker(startWindows: 3, stopWindows: 4);

        List<(VoiceActivityKind, long)> changes = Feed(tracker, "..SSS....");

        changes.Should().Equal((VoiceActivityKind.Started, 2L), (VoiceActivityKind.Stopped, 5L));
    }

    [Fact]
    public void A_short_dip_inside_the_first_speech_does_not_abandon_the_start()
    {
        var tracker = new VoiceActivityTracker(startWindows: 4, stopWindows: 4);

        List<(VoiceActivityKind, long)> changes = Feed(tracker, ".S..SSS");

        changes.Should().Equal((VoiceActivityKind.Started, 1L));
    }

    [Fact]
    public void Isolated_speech_windows_separated_by_start_windows_of_silence_never_start_speech()
    {
        var tracker = new VoiceActivityTracker(startWindows: 3, stopWindows: 4);

        List<(VoiceActivityKind, long)> changes = Feed(tracker, string.Concat(Enumerable.Repeat("S...", 50)));

        changes.Should().BeEmpty();
    }

    [Fact]
    public void Any_speech_window_cancels_a_stop()
    {
        var tracker = new VoiceActivityTracker(startWindows: 1, stopWindows: 3);

        List<(VoiceActivityKind, long)> changes = Feed(tracker, "S..S..S...");

        changes.Should().Equal((VoiceActivityKind.Started, 0L), (VoiceActivityKind.Stopped, 7L));
    }

    private static List<(VoiceActivityKind, long)> Feed(VoiceActivityTracker tracker, string pattern)
    {
        var changes = new List<(VoiceActivityKind, long)>();
        foreach (char c in pattern)
        {
            if (tracker.Next(c == 'S', out (VoiceActivityKind Kind, long Window) change))
            {
                changes.Add((change.Kind, change.Window));
            }
        }

        return changes;
    }
}
