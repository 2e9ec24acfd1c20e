using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;

namespace Pipeline.Core.Processors;

/// <summary>
/// What an exception thrown while processing a frame becomes: a logged error and an <see cref="ErrorFrame"/> pushed
/// upstream, fatal (and told to the runner at once) when the frame was a lifecycle frame the pipeline needs.
/// </summary>
internal static partial class ProcessingFailure
{
    /// <summary>Reports that <paramref name="host"/> failed to process <paramref name="frame"/>.</summary>
    /// <param name="host">The processor that failed.</param>
    /// <param name="frame">The frame it was processing.</param>
    /// <param name="direction">Which way the frame travelled.</param>
    /// <param name="exception">What it threw.</param>
    /// <param name="onFatalError">The runner's fatal-error callback, if any.</param>
    public static async ValueTask ReportAsync(
        IFrameSchedulerHost host, Frame frame, FrameDirection direction, Exception exception, Action<ErrorFrame>? onFatalError)
    {
        LogProcessingFailed(host.Logger, exception, host.Name, frame);
        if (frame is ErrorFrame)
        {
            return; // never answer an error with an error: that could loop
        }

        // A lifecycle frame that does not travel on leaves the run unable to end (the end never sees it, or the next
        // processors never start): the failure is fatal, and told to the runner at once as well as pushed upstream.
        bool lifecycle = frame is StartFrame or EndFrame or StopFrame or CancelFrame;
        var error = new ErrorFrame(
            lifecycle
                ? $"{host.Name} failed to process {frame.Name}, a lifecycle frame the pipeline needs, so the run stops: {exception.Message}"
                : $"{host.Name} failed to process {frame.Name}: {exception.Message}",
            exception,
            lifecycle) { ProcessorName = host.Name };
        if (lifecycle)
        {
            onFatalError?.Invoke(error);
        }

        try
        {
            await host.PushAsync(error, FrameDirection.Upstream).ConfigureAwait(false);
            if (frame is CancelFrame)
            {
                // The cancel must still reach the end, or the run waits out its cancel timeout.
                await host.PushAsync(frame, direction).ConfigureAwait(false);
            }
        }
        catch (Exception pushFailure)
        {
            host.Logger.LogError(pushFailure, "{Processor}: could not report an error upstream", host.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Processor}: failed to process {Frame}")]
    private static partial void LogProcessingFailed(ILogger logger, Exception exception, string processor, Frame frame);
}
