namespace Pipeline.LiveKit;

/// <summary>LiveKit's built-in RPC error codes (the same on every SDK).</summary>
public static class RpcErrorCodes
{
    /// <summary>The method handler failed (threw, or returned an error without a code).</summary>
    public const int ApplicationError = 1500;

    /// <summary>The request was not acknowledged by the peer in time (it may not be reachable).</summary>
    public const int ConnectionTimeout = 1501;

    /// <summary>The peer acknowledged the request but did not answer within the response timeout.</summary>
    public const int ResponseTimeout = 1502;

    /// <summary>The peer left before answering.</summary>
    public const int RecipientDisconnected = 1503;

    /// <summary>The answer was larger than 15 KiB.</summary>
    public const int ResponsePayloadTooLarge = 1504;

    /// <summary>The request could not be sent.</summary>
    public const int SendFailed = 1505;

    /// <summary>The peer has no handler for the method.</summary>
    public const int UnsupportedMethod = 1400;

    /// <summary>No participant with the destination identity is in the room.</summary>
    public const int RecipientNotFound = 1401;

    /// <summary>The request payload was larger than 15 KiB.</summary>
    public const int RequestPayloadTooLarge = 1402;

    /// <summary>The server is too old for RPC (before 1.8.0).</summary>
    public const int UnsupportedServer = 1403;

    /// <summary>The peer speaks another RPC version.</summary>
    public const int UnsupportedVersion = 1404;
}
