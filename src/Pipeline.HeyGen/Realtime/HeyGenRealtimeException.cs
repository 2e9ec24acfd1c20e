namespace Pipeline.HeyGen.Realtime;

/// <summary>A failure of the HeyGen realtime websocket: connecting, authenticating, or keeping the connection.</summary>
public sealed class HeyGenRealtimeException : Exception
{
    /// <summary>Creates an exception with no details.</summary>
    public HeyGenRealtimeException()
        : this(RealtimeFailure.ConnectionFailed, "The HeyGen realtime connection failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public HeyGenRealtimeException(string message)
        : this(RealtimeFailure.ConnectionFailed, message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public HeyGenRealtimeException(string message, Exception innerException)
        : this(RealtimeFailure.ConnectionFailed, message, null, innerException)
    {
    }

    /// <summary>Creates an exception of a given kind.</summary>
    /// <param name="failure">Why it failed.</param>
    /// <param name="message">A message that never contains the session token.</param>
    /// <param name="httpStatusCode">The HTTP status of a rejected upgrade, if any.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public HeyGenRealtimeException(RealtimeFailure failure, string message, int? httpStatusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        HttpStatusCode = httpStatusCode;
    }

    /// <summary>Why it failed.</summary>
    public RealtimeFailure Failure { get; }

    /// <summary>The HTTP status the server answered the websocket upgrade with, when it refused it.</summary>
    public int? HttpStatusCode { get; }

    /// <summary>Whether trying to connect again may help (refused, timed out, HTTP 408/429/5xx).</summary>
    public bool IsTransient => Failure switch
    {
        RealtimeFailure.ConnectionRefused or RealtimeFailure.ConnectTimeout or RealtimeFailure.ConnectionFailed => true,
        RealtimeFailure.Rejected => HttpStatusCode is 408 or 429 or >= 500,
        _ => false,
    };
}
