namespace Pipeline.Speech.Tests.Support;

/// <summary>The recordings the VAD tests share, built once per test run (espeak-ng is deterministic).</summary>
internal static class TestTracks
{
    public const string First = "The quick brown fox jumps over the lazy dog.";
    public const string Second = "Please call me back when you have a free moment.";

    private static readonly Lazy<Task<SpeechTrack>> s_twoSentences = new(() => SpeechTrack.BuildAsync(
        lead: TimeSpan.FromSeconds(1), gap: TimeSpan.FromSeconds(1.5), tail: TimeSpan.FromSeconds(1.5), First, Second));

    /// <summary>1 s silence, sentence, 1.5 s silence, sentence, 1.5 s silence; 16 kHz.</summary>
    public static Task<SpeechTrack> TwoSentences => s_twoSentences.Value;
}
