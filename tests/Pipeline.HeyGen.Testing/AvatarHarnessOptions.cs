namespace Pipeline.HeyGen.Testing;

/// <summary>
/// How an <see cref="AvatarHarness"/> is built beyond the service's own options: the fake clock's start, the avatar's
/// rendering, log capture and the shortened timeouts the reliability tests drive faults with.
/// </summary>
public sealed class AvatarHarnessOptions
{
    /// <summary>
    /// The HTTP attempt, cleanup, websocket connect and room join timeout of <see cref="FastRecovery"/> (10 s): long
    /// against the clock's strides (20–100 ms of emulated time per ~1 ms of wall time), so real I/O on a busy machine
    /// never looks like a timeout.
    /// </summary>
    public static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The fault-matrix profile: every log line captured, fast recovery, the emulator's session limits enforced, and a
    /// tiny 16×16 avatar at 5 fps (the tests watch the session, not the pictures).
    /// </summary>
    public static AvatarHarnessOptions Reliability => new()
    {
        CaptureLogs = true,
        FastRecovery = true,
        EnforceSessionLimits = true,
        Width = 16,
        Height = 16,
        FrameRate = 5,
        EnableMetrics = false,
        LiveAvatarId = "reliability-avatar",
        FinishClockLimit = TimeSpan.FromSeconds(60),
    };

    /// <summary>The fake clock's start (default 2026-11-25 08:00 UTC).</summary>
    public DateTimeOffset Start { get; init; } = DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The emulated avatar's video width in pixels (default 64).</summary>
    public int Width { get; init; } = 64;

    /// <summary>The emulated avatar's video height in pixels (default 36).</summary>
    public int Height { get; init; } = 36;

    /// <summary>The emulated avatar's video frame rate in frames per second (default 25).</summary>
    public int FrameRate { get; init; } = 25;

    /// <summary>Whether the pipeline task emits metrics frames (default on).</summary>
    public bool EnableMetrics { get; init; } = true;

    /// <summary>Whether the emulator refuses sessions over its concurrency limit (default off).</summary>
    public bool EnforceSessionLimits { get; init; }

    /// <summary>
    /// Captures every log line of the API, the service and the task at every level in <see cref="AvatarHarness.Logs"/>
    /// (added to the given logger factory, or in a factory of its own).
    /// </summary>
    public bool CaptureLogs { get; init; }

    /// <summary>
    /// Shortened timeouts for fault tests: HTTP attempts, cleanup, websocket connect and room join after
    /// <see cref="IoTimeout"/>; jitter-free retries from 200 ms; keep-alive every 5 s; at most 3 reconnects
    /// (200 ms to 1 s apart); end drain 5 s.
    /// </summary>
    public bool FastRecovery { get; init; }

    /// <summary>How far finishing may move the clock while waiting for the run to end (default 2 min of emulated time).</summary>
    public TimeSpan FinishClockLimit { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The LiveAvatar avatar id when the harness runs LiveAvatar (default the sandbox avatar).</summary>
    public string? LiveAvatarId { get; init; }

    /// <summary>The pipeline's meter factory (null: the process-wide meters), for tests that observe its instruments.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }
}
