namespace Pipeline.LiveKit;

/// <summary>One incoming call of a method registered with <see cref="LocalParticipant.RegisterRpcMethod"/>.</summary>
public sealed class RpcInvocation
{
    internal RpcInvocation(string requestId, string callerIdentity, string method, string payload, TimeSpan responseTimeout, CancellationToken cancellationToken)
    {
        RequestId = requestId;
        CallerIdentity = callerIdentity;
        Method = method;
        Payload = payload;
        ResponseTimeout = responseTimeout;
        CancellationToken = cancellationToken;
    }

    /// <summary>The caller's id for this request (unique per call).</summary>
    public string RequestId { get; }

    /// <summary>The identity of the participant that called.</summary>
    public string CallerIdentity { get; }

    /// <summary>The method name the caller asked for.</summary>
    public string Method { get; }

    /// <summary>The caller's payload (UTF-8 text, up to 15 KiB).</summary>
    public string Payload { get; }

    /// <summary>How long the caller waits for the answer; after it the caller has given up.</summary>
    public TimeSpan ResponseTimeout { get; }

    /// <summary>
    /// Cancelled when the caller's <see cref="ResponseTimeout"/> has passed or the room closes: an answer after that
    /// reaches nobody.
    /// </summary>
    public CancellationToken CancellationToken { get; }
}
