using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Pipelines;

/// <summary>
/// Watches a running pipeline for bot or user activity (any frame <see cref="PipelineTaskOptions.IsIdleActivity"/>
/// accepts, pushed anywhere in the pipeline) and calls back when none was seen for
/// <see cref="PipelineTaskOptions.IdleTimeout"/>.
/// </summary>
internal sealed partial class IdleMonitor : IAsyncDisposable
{
    private readonly TimeSpan _timeout;
    private readonly Func<Frame, bool> _isActivity;
    private readonly bool _cancels;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action _onIdle;
    private readonly ITimer _timer;
    private long _lastActivity;

    private IdleMonitor(TimeSpan timeout, PipelineTaskOptions options, TimeProvider time, ILogger logger, Action onIdle)
    {
        _timeout = timeout;
        _isActivity = options.IsIdleActivity;
        _cancels = options.CancelOnIdleTimeout;
        _time = time;
        _logger = logger;
        _onIdle = onIdle;
        _lastActivity = time.GetTimestamp();
        _timer = time.CreateTimer(static s => ((IdleMonitor)s!).Check(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Starts watching, or returns null when the options turn the idle timeout off.</summary>
    public static IdleMonitor? Start(PipelineTaskOptions options, TimeProvider time, ILogger logger, Action onIdle) =>
        options.IdleTimeout is { } timeout ? new IdleMonitor(timeout, options, time, logger, onIdle) : null;

    /// <summary>Called for every frame pushed in the pipeline; cheap unless the frame is activity.</summary>
    public void OnFramePushed(Frame frame)
    {
        if (_isActivity(frame))
        {
            Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        }
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();

    private void Check()
    {
        TimeSpan quiet = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (quiet < _timeout)
        {
            _timer.Change(_timeout - quiet, Timeout.InfiniteTimeSpan);
            return;
        }

        LogIdle(_logger, quiet.TotalSeconds, _timeout.TotalSeconds,
            _cancels ? "cancelling the pipeline" : "only raising IdleTimeoutReached (CancelOnIdleTimeout is off)");
        if (!_cancels)
        {
            Volatile.Write(ref _lastActivity, _time.GetTimestamp());
            _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
        }

        _onIdle();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No bot or user activity for {QuietSeconds:0.#} s (idle timeout {TimeoutSeconds:0.#} s): {Action}. Queue an EndFrame when the conversation ends, or set PipelineTaskOptions.IdleTimeout (null turns it off)")]
    private static partial void LogIdle(ILogger logger, double quietSeconds, double timeoutSeconds, string action);
}
