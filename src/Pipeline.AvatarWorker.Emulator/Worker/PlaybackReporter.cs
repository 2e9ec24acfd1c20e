using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorker.Emulator.Worker;

/// <summary>
/// Sends the worker's playback reports to the agent (<c>lk.playback_started</c>, <c>lk.playback_finished</c>), one at a
/// time and in the order they happened, from its own task: the avatar raises its playback events under its lock, where
/// nothing may wait on the network. Every call and its answer go into the session's ledger.
/// </summary>
internal sealed partial class PlaybackReporter : IAsyncDisposable
{
    private readonly Channel<WorkerRpcRecord> _queue = Channel.CreateUnbounded<WorkerRpcRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly LocalParticipant _participant;
    private readonly WorkerSessionRecord _session;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _loop;

    public PlaybackReporter(LocalParticipant participant, WorkerSessionRecord session, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        _participant = participant;
        _session = session;
        _timeout = timeout;
        _time = time;
        _logger = logger;
        _loop = Task.Run(SendAllAsync);
    }

    /// <summary>Queues <c>lk.playback_started</c> for a stream that started playing.</summary>
    public void Started(string streamId) => Enqueue(AvatarWorkerProtocol.PlaybackStartedMethod, string.Empty, streamId);

    /// <summary>Queues <c>lk.playback_finished</c>.</summary>
    /// <param name="streamId">The stream it is about, if any.</param>
    /// <param name="seconds">How much of it played, in seconds.</param>
    /// <param name="interrupted">Whether it was cleared.</param>
    public void Finished(string? streamId, double seconds, bool interrupted) =>
        Enqueue(AvatarWorkerProtocol.PlaybackFinishedMethod, AvatarWorkerProtocol.FormatPlaybackFinished(Math.Max(0, seconds), interrupted), streamId);

    /// <summary>Stops sending: a call in flight is abandoned and nothing queued is sent (the worker is leaving).</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        while (_queue.Reader.TryRead(out WorkerRpcRecord? unsent))
        {
            unsent.Failed("not sent: the worker left the room");
        }

        _stop.Dispose();
    }

    private void Enqueue(string method, string payload, string? streamId)
    {
        var record = new WorkerRpcRecord(method, payload, streamId, _time.GetUtcNow());
        if (_queue.Writer.TryWrite(record))
        {
            _session.AddRpc(record);
        }
    }

    private async Task SendAllAsync()
    {
        try
        {
            await foreach (WorkerRpcRecord call in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await SendAsync(call).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The worker is leaving (or its room closed under the call).
        }
    }

    private async Task SendAsync(WorkerRpcRecord call)
    {
        try
        {
            string answer = await _participant.PerformRpcAsync(_session.AgentIdentity, call.Method, call.Payload, _timeout, _stop.Token).ConfigureAwait(false);
            call.Answered(answer);
        }
        catch (LiveKitRpcException e)
        {
            // The agent may not handle the method (an older agent) or may be gone: the worker carries on, as a real one does.
            call.Failed($"{e.Code}: {e.RpcMessage}");
            LogCallFailed(call.Method, _session.AgentIdentity, e.Code, e.RpcMessage);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            call.Failed("not answered: the worker left the room");
            throw new OperationCanceledException("The worker is leaving.", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The avatar worker's {Method} to agent {Agent} failed ({Code}: {Reason})")]
    private partial void LogCallFailed(string method, string agent, int code, string reason);
}
