namespace Pipeline.HeyGen.Api;

/// <summary>
/// A HeyGen or LiveAvatar call failed: the service answered with an error status or an error envelope code, the
/// response could not be parsed, or no response arrived (after any retries).
/// </summary>
/// <remarks>
/// Tokens and API keys are redacted from <see cref="Exception.Message"/> and <see cref="ResponseText"/>, and the
/// response text is length-capped (<see cref="AvatarApiOptions.MaxErrorBodyLength"/>).
/// </remarks>
public sealed class HeyGenApiException : Exception
{
    /// <summary>Creates an exception with a message only (status 0, no response).</summary>
    public HeyGenApiException()
        : this("The HeyGen API call failed.")
    {
    }

    /// <summary>Creates an exception with a message only (status 0, no response).</summary>
    /// <param name="message">The message.</param>
    public HeyGenApiException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates an exception with a message and cause (status 0, no response).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public HeyGenApiException(string message, Exception? innerException)
        : this(message, status: 0, responseText: string.Empty, errorCode: null, operation: null, innerException)
    {
    }

    /// <summary>Creates an exception describing a failed call.</summary>
    /// <param name="message">The (already redacted) message.</param>
    /// <param name="status">The HTTP status, or 0 when no response arrived.</param>
    /// <param name="responseText">The (already redacted and capped) response body, or empty.</param>
    /// <param name="errorCode">The service's error code from the body, if any.</param>
    /// <param name="operation">The API operation, for example <c>streaming.start</c>.</param>
    /// <param name="innerException">The cause, if any.</param>
    public HeyGenApiException(string message, int status, string responseText, string? errorCode, string? operation, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        ResponseText = responseText;
        ErrorCode = errorCode;
        Operation = operation;
    }

    /// <summary>The HTTP status code of the response; 0 when no response arrived (timeout, dropped connection).</summary>
    public int Status { get; }

    /// <summary>The response body, redacted and length-capped; empty when no response arrived.</summary>
    public string ResponseText { get; }

    /// <summary>The service's error code (<c>code</c> in the envelope or error body, as text: it may be a number or a
    /// string), for example <c>10005</c> or <c>400112</c>; <see langword="null"/> when the body had none.</summary>
    public string? ErrorCode { get; }

    /// <summary>The API operation that failed, for example <c>streaming.start</c> or <c>sessions/token</c>.</summary>
    public string? Operation { get; }
}
