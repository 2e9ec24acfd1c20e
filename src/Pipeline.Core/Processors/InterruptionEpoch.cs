namespace Pipeline.Core.Processors;

/// <summary>
/// One interruption epoch of a processor's queue: frames queued in an older epoch are skipped, and the epoch's token
/// cancels the frame in flight when an <see cref="Frames.InterruptionFrame"/> starts the next epoch.
/// </summary>
internal sealed class InterruptionEpoch(long number, CancellationTokenSource cancellation) : IDisposable
{
    public long Number { get; } = number;

    public CancellationToken Token { get; } = cancellation.Token;

    public void Interrupt()
    {
        cancellation.Cancel();
        cancellation.Dispose();
    }

    public void Dispose() => cancellation.Dispose();
}
