namespace Pipeline.LiveKit;

/// <summary>
/// An RPC call failed: the remote handler returned an error, the method is not registered there, the peer is not in
/// the room, or a timeout passed. <see cref="Code"/> tells which (see <see cref="RpcErrorCodes"/>). A method handler
/// may throw it to send that code and message back to the caller.
/// </summary>
public sealed class LiveKitRpcException : LiveKitException
{
    /// <summary>Creates the exception with a code, the error text and optional extra data for the caller.</summary>
    /// <param name="code">The error code: 1000–1499 are free for applications; 1400+ and 1500+ are LiveKit's own (<see cref="RpcErrorCodes"/>).</param>
    /// <param name="message">What went wrong (sent to the caller as is).</param>
    /// <param name="data">Extra details for the caller, or <see langword="null"/>.</param>
    public LiveKitRpcException(int code, string message, string? data = null)
        : base(message)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(code);
        Code = code;
        RpcMessage = message;
        ErrorData = data;
    }

    /// <summary>Creates the exception (application error 1500).</summary>
    public LiveKitRpcException()
        : this(RpcErrorCodes.ApplicationError, "Application error in method handler")
    {
    }

    /// <summary>Creates the exception (application error 1500).</summary>
    public LiveKitRpcException(string message)
        : this(RpcErrorCodes.ApplicationError, message)
    {
    }

    /// <summary>Creates the exception (application error 1500).</summary>
    public LiveKitRpcException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = RpcErrorCodes.ApplicationError;
        RpcMessage = message;
    }

    /// <summary>The RPC error code.</summary>
    public int Code { get; }

    /// <summary>The error text as the other side sent it.</summary>
    public string RpcMessage { get; }

    /// <summary>Extra details sent with the error, or <see langword="null"/>.</summary>
    public string? ErrorData { get; }
}
