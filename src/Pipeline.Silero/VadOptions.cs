namespace Pipeline.Silero;

/// <summary>When a stream of windows counts as the user speaking. Validated when a detector is created.</summary>
public sealed class VadOptions
{
    /// <summary>The defaults: confidence 0.7, start 200 ms, stop 800 ms, min volume -50 dBFS.</summary>
    public static VadOptions Default { get; } = new();

    /// <summary>Lowest Silero probability (0 to 1) that counts a window as speech. Default 0.7.</summary>
    public float Confidence { get; init; } = 0.7f;

    /// <summary>
    /// How much speech (in speech windows) must be heard before the user counts as speaking. Default 200 ms; rounded
    /// up to whole 32 ms windows. Dips shorter than this inside the first speech (consonant closures) are tolerated;
    /// as long a run of non-speech abandons the start. Shorter reacts sooner; longer ignores coughs and clicks.
    /// </summary>
    public TimeSpan StartDuration { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long non-speech must last before the user counts as stopped. Default 800 ms; rounded up to whole 32 ms
    /// windows. Must exceed the pauses inside a sentence, or a turn is cut in two.
    /// </summary>
    public TimeSpan StopDuration { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>
    /// Lowest loudness of a window, as RMS in dBFS (0 is a full-scale square wave), that can count as speech, whatever
    /// the model says. Default -50 dBFS: far speech and room noise below it are ignored. <see cref="double.NegativeInfinity"/> disables it.
    /// </summary>
    public double MinVolumeDbfs { get; init; } = -50;

    internal void Validate()
    {
        if (!(Confidence is > 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(Confidence), Confidence, "Confidence must be above 0 and at most 1.");
        }

        if (StartDuration < TimeSpan.Zero || StartDuration > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(StartDuration), StartDuration, "StartDuration must be 0 to 10 seconds.");
        }

        if (StopDuration < TimeSpan.Zero || StopDuration > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(StopDuration), StopDuration, "StopDuration must be 0 to 10 seconds.");
        }

        if (double.IsNaN(MinVolumeDbfs) || MinVolumeDbfs > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MinVolumeDbfs), MinVolumeDbfs, "MinVolumeDbfs must be at most 0 dBFS.");
        }
    }
}
