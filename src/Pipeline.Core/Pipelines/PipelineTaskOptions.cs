using System.Diagnostics.Metrics;
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

    /// <summary>The default <see cref="IdleTimeout"/>: 300 s, as in Pipecat.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(300);

    /// <summary>
    /// End the run when no activity frame (see <see cref="IsIdleActivity"/>) was pushed anywhere in the pipeline for
    /// this long, so a forgotten <see cref="EndFrame"/> cannot keep a pipeline (and any billed session it holds) open
    /// forever. Default <see cref="DefaultIdleTimeout"/> (300 s); null turns the idle check off.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>Whether an idle timeout cancels the pipeline (default) or only raises <see cref="PipelineTask.IdleTimeoutReached"/>.</summary>
    public bool CancelOnIdleTimeout { get; init; } = true;

    /// <summary>
    /// Which frames count as activity for the idle timeout. Default <see cref="IsBotOrUserActivity"/>: the bot or the
    /// user speaking, text (transcriptions, LLM output) and the bot's audio, not microphone audio, video or metrics.
    /// </summary>
    public Func<Frame, bool> IsIdleActivity { get; init; } = IsBotOrUserActivity;

    /// <summary>
    /// The default activity test: user or bot started/stopped speaking, an interruption, TTS started/stopped, any
    /// <see cref="TextFrame"/> (transcriptions included) and audio going out (TTS or avatar speech).
    /// </summary>
    public static bool IsBotOrUserActivity(Frame frame) => frame is
        UserStartedSpeakingFrame or UserStoppedSpeakingFrame or BotStartedSpeakingFrame or BotStoppedSpeakingFrame or
        InterruptionFrame or TTSStartedFrame or TTSStoppedFrame or TextFrame or OutputAudioRawFrame;

    /// <summary>
    /// How long a cancellation may take to travel through the pipeline before the processors are disposed anyway.
    /// Default 20 s.
    /// </summary>
    public TimeSpan CancelTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Observers told about every frame pushed inside the pipeline.</summary>
    public IReadOnlyList<IFrameObserver> Observers { get; init; } = [];

    /// <summary>
    /// Creates the processors' meters (with DI, the container's <see cref="IMeterFactory"/>); null for the process-wide
    /// meters. Meter names are listed in <see cref="Diagnostics.CoreTelemetry"/>.
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }

    internal StartFrame CreateStartFrame() => new()
    {
        AudioInSampleRate = AudioInSampleRate,
        AudioOutSampleRate = AudioOutSampleRate,
        AllowInterruptions = AllowInterruptions,
        EnableMetrics = EnableMetrics,
        EnableUsageMetrics = EnableUsageMetrics,
        ReportOnlyInitialTtfb = ReportOnlyInitialTtfb,
    };

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
