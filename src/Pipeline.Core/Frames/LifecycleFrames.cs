namespace Pipeline.Core.Frames;

/// <summary>
/// The first frame through a pipeline: it starts every processor and carries the settings they share.
/// </summary>
public sealed class StartFrame : SystemFrame
{
    /// <summary>Sample rate of audio entering the pipeline, in Hz.</summary>
    public int AudioInSampleRate { get; init; } = 16_000;

    /// <summary>Sample rate of audio leaving the pipeline, in Hz.</summary>
    public int AudioOutSampleRate { get; init; } = 24_000;

    /// <summary>Whether the user may interrupt the bot (processors then honour <see cref="InterruptionFrame"/>).</summary>
    public bool AllowInterruptions { get; init; } = true;

    /// <summary>Whether processors emit time-to-first-byte and processing-time <see cref="MetricsFrame"/>s.</summary>
    public bool EnableMetrics { get; init; }

    /// <summary>Whether processors emit usage metrics (characters, tokens, seconds of media).</summary>
    public bool EnableUsageMetrics { get; init; }

    /// <summary>When true, only the first time-to-first-byte of each processor is reported.</summary>
    public bool ReportOnlyInitialTtfb { get; init; }
}

/// <summary>
/// Ends a pipeline gracefully: it flows in order after all preceding frames, and each processor stops once it
/// has passed it on.
/// </summary>
public sealed class EndFrame : ControlFrame, IUninterruptibleFrame
{
    /// <summary>Optional reason, for logs.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// Stops the pipeline run once it reaches the end, in order like <see cref="EndFrame"/>, without being treated as
/// a graceful end of the conversation (processors may keep their resources until disposed).
/// </summary>
public sealed class StopFrame : ControlFrame, IUninterruptibleFrame;

/// <summary>Stops every processor at once: in-flight work is cancelled and queued frames are discarded.</summary>
public sealed class CancelFrame : SystemFrame
{
    /// <summary>Optional reason, for logs.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// Reports an error, usually upstream towards the task that runs the pipeline. A fatal error ends the run.
/// </summary>
public sealed class ErrorFrame : SystemFrame
{
    /// <summary>Creates an error frame.</summary>
    /// <param name="message">What went wrong, for people. Must not contain secrets.</param>
    /// <param name="exception">The exception behind the error, if any.</param>
    /// <param name="fatal">Whether the pipeline must stop.</param>
    public ErrorFrame(string message, Exception? exception = null, bool fatal = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        Message = message;
        Exception = exception;
        IsFatal = fatal;
    }

    /// <summary>What went wrong.</summary>
    public string Message { get; }

    /// <summary>The exception behind the error, if any.</summary>
    public Exception? Exception { get; }

    /// <summary>Whether the pipeline must stop.</summary>
    public bool IsFatal { get; }

    /// <summary>Name of the processor that raised the error, filled in by the framework when it pushes the frame.</summary>
    public string? ProcessorName { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}({(IsFatal ? "fatal" : "non-fatal")}, {ProcessorName ?? "?"}: {Message})";
}

/// <summary>
/// The user interrupted the bot: every processor it passes drops its queued data and control frames (never an
/// <see cref="IUninterruptibleFrame"/>) and cancels interruptible in-flight work, then passes it on.
/// </summary>
public sealed class InterruptionFrame : SystemFrame;

/// <summary>
/// The output transport is ready to receive media; producers may start pushing media downstream. A system frame, so
/// that it reaches a producer at once even while the producer is busy with queued frames.
/// </summary>
public sealed class OutputTransportReadyFrame : SystemFrame;
