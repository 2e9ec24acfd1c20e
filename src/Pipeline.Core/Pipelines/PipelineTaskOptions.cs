using Pipeline.Core.Frames;
using Pipeline.Core.Observers;

namespace Pipeline.Core.Pipelines;

/// <summary>How a <see cref="PipelineTask"/> starts and supervises its pipeline.</summary>
public sealed class PipelineTaskOptions
{
    /// <summary>Sample rate of audio entering the pipeline, in Hz (sent in the <see cref="StartFrame"/>). Default 16 000.</summary>
    public int AudioInSampleRate { get; init; } = 16_000;

    /// <summary>Sample rate of audio leaving the pipeline, in Hz (sent in the <see cref="StartFrame"/>). Default 24 000.</summary>
    public int AudioOutSampleRate { get; init; } = 24_000;

    /// <summary>Whether the user may interrupt the bot. Default true.</summary>
    public bool AllowInterruptions { get; init; } = true;

    /// <summary>Whether processors emit time-to-first-byte and processing-time metrics. Default false.</summary>
    public bool EnableMetrics { get; init; }

    /// <summary>Whether processors emit usage metrics. Default false.</summary>
    public bool EnableUsageMetrics { get; init; }

    /// <summary>When true, each processor reports only its first time-to-first-byte.</summary>
    public bool ReportOnlyInitialTtfb { get; init; }

    /// <summary>
    /// End the run when no activity frame (see <see cref="IsIdleActivity"/>) has been seen for this long. Null (the
    /// default) disables the idle check.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Whether an idle timeout cancels the pipeline (default) or only raises <see cref="PipelineTask.IdleTimeoutReached"/>.</summary>
    public bool CancelOnIdleTimeout { get; init; } = true;

    /// <summary>Which frames count as activity for the idle timeout. Default: any frame but metrics.</summary>
    public Func<Frame, bool> IsIdleActivity { get; init; } = static frame => frame is not MetricsFrame;

    /// <summary>
    /// How long a cancellation may take to travel through the pipeline before the processors are disposed anyway.
    /// Default 20 s.
    /// </summary>
    public TimeSpan CancelTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Observers told about every frame pushed inside the pipeline.</summary>
    public IReadOnlyList<IFrameObserver> Observers { get; init; } = [];

    internal void Validate()
    {
        Audio.PcmFormat.Validate(0, AudioInSampleRate, 1);
        Audio.PcmFormat.Validate(0, AudioOutSampleRate, 1);
        if (IdleTimeout is { } idle && idle <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), idle, "Idle timeout must be positive.");
        }

        if (CancelTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CancelTimeout), CancelTimeout, "Cancel timeout must be positive.");
        }

        ArgumentNullException.ThrowIfNull(IsIdleActivity);
        ArgumentNullException.ThrowIfNull(Observers);
    }
}
