using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Observers;

/// <summary>Logs every hop of the frames it is interested in, at debug level.</summary>
/// <remarks>Audio and image frames are numerous; by default only other frames are logged.</remarks>
public sealed partial class DebugLogObserver : IFrameObserver
{
    private readonly ILogger _logger;
    private readonly Func<Frame, bool> _filter;

    /// <summary>Creates the observer.</summary>
    /// <param name="logger">Where to log.</param>
    /// <param name="filter">Which frames to log; by default everything but audio and image frames.</param>
    public DebugLogObserver(ILogger<DebugLogObserver> logger, Func<Frame, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _filter = filter ?? (f => f is not AudioRawFrame and not ImageRawFrame);
    }

    /// <inheritdoc />
    public ValueTask OnFramePushedAsync(FramePushed pushed, CancellationToken cancellationToken)
    {
        if (_logger.IsEnabled(LogLevel.Debug) && _filter(pushed.Frame))
        {
            string arrow = pushed.Direction == Processors.FrameDirection.Downstream ? "→" : "←";
            string destination = pushed.Destination?.Name ?? "(end)";
            Log(_logger, pushed.Source.Name, arrow, destination, pushed.Frame, pushed.Timestamp);
        }

        return default;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Source} {Arrow} {Destination}: {Frame} at {Timestamp:O}")]
    private static partial void Log(ILogger logger, string source, string arrow, string destination, Frames.Frame frame, DateTimeOffset timestamp);
}
