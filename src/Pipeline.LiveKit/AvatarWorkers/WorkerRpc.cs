using Microsoft.Extensions.Logging;
using Pipeline.Core.Avatars;

namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>
/// The avatar-worker protocol's RPCs on the agent's side: answers the worker's <c>lk.playback_started</c> and
/// <c>lk.playback_finished</c> (refusing any other caller) into the session's <see cref="WorkerPlayback"/>, and performs
/// <c>lk.clear_buffer</c> on the worker.
/// </summary>
internal sealed class WorkerRpc(LocalParticipant local, string workerIdentity, WorkerPlayback playback, Action<AvatarEvent> report, ILogger logger)
{
    private bool _registered;

    /// <summary>Registers both methods on the agent.</summary>
    /// <exception cref="InvalidOperationException">Another session already answers them in this room (one avatar worker per room).</exception>
    public void Register()
    {
        try
        {
            local.RegisterRpcMethod(AvatarWorkerProtocol.PlaybackFinishedMethod, OnPlaybackFinished);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"Another avatar worker session already answers {AvatarWorkerProtocol.PlaybackFinishedMethod} for '{local.Identity}' in this room: one avatar worker per agent and room. Close the other session first.", e);
        }

        try
        {
            local.RegisterRpcMethod(AvatarWorkerProtocol.PlaybackStartedMethod, OnPlaybackStarted);
        }
        catch
        {
            local.UnregisterRpcMethod(AvatarWorkerProtocol.PlaybackFinishedMethod);
            throw;
        }

        _registered = true;
    }

    /// <summary>Stops answering (callers then get "unsupported method"); nothing when never registered or the room is gone.</summary>
    public void Unregister()
    {
        if (!_registered)
        {
            return;
        }

        _registered = false;
        try
        {
            local.UnregisterRpcMethod(AvatarWorkerProtocol.PlaybackFinishedMethod);
            local.UnregisterRpcMethod(AvatarWorkerProtocol.PlaybackStartedMethod);
        }
        catch (Exception e) when (e is ObjectDisposedException or LiveKitException)
        {
            // The room was closed: its methods went with it.
        }
    }

    /// <summary>Sends <c>lk.clear_buffer</c> to the worker now; the task is its answer.</summary>
    /// <param name="timeout">How long the worker may take to answer (at least 1 s: LiveKit's lower bound).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<string> ClearBufferAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        TimeSpan bounded = timeout < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : timeout > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : timeout;
        return local.PerformRpcAsync(workerIdentity, AvatarWorkerProtocol.ClearBufferMethod, "", bounded, cancellationToken);
    }

    private Task<string> OnPlaybackFinished(RpcInvocation call)
    {
        RejectStrangers(call);
        if (!AvatarWorkerProtocol.TryParsePlaybackFinished(call.Payload, out double position, out bool interrupted))
        {
            report(new AvatarWarning($"The avatar worker sent {AvatarWorkerProtocol.PlaybackFinishedMethod} with a payload that is not the protocol's JSON; ignored."));
            throw new LiveKitRpcException(RpcErrorCodes.ApplicationError, "invalid payload: expected {\"playback_position\": seconds, \"interrupted\": bool}");
        }

        logger.LogDebug("The avatar worker finished playback at {Position:F2} s (interrupted: {Interrupted})", position, interrupted);
        playback.OnPlaybackFinished(interrupted);
        return Task.FromResult("ok");
    }

    private Task<string> OnPlaybackStarted(RpcInvocation call)
    {
        RejectStrangers(call);
        playback.OnPlaybackStarted();
        return Task.FromResult("ok");
    }

    // Only the worker this session dispatched speaks for the avatar: anyone else could fake its playback state.
    private void RejectStrangers(RpcInvocation call)
    {
        if (!string.Equals(call.CallerIdentity, workerIdentity, StringComparison.Ordinal))
        {
            logger.LogWarning("Refused {Method} from '{Caller}': only the avatar worker '{Worker}' may call it", call.Method, call.CallerIdentity, workerIdentity);
            throw new LiveKitRpcException(RpcErrorCodes.ApplicationError, "reject: only the avatar worker may call this method");
        }
    }
}
