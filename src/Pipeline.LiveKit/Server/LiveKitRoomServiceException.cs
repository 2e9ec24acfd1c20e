using System.Net;

namespace Pipeline.LiveKit;

/// <summary>
/// LiveKit's server API (RoomService) refused a call or could not be reached. The message names the call, the HTTP
/// status and the server's Twirp error code; it never holds the API key, the secret or the token.
/// </summary>
public sealed class LiveKitRoomServiceException : LiveKitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do, without secrets.</param>
    /// <param name="statusCode">The server's HTTP status, or <see langword="null"/> when it did not answer.</param>
    /// <param name="errorCode">The server's Twirp error code (e.g. <c>not_found</c>, <c>unauthenticated</c>), when it sent one.</param>
    /// <param name="innerException">The transport error, when the server did not answer.</param>
    public LiveKitRoomServiceException(string message, HttpStatusCode? statusCode, string? errorCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
    }

    /// <summary>Creates the exception.</summary>
    public LiveKitRoomServiceException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public LiveKitRoomServiceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LiveKitRoomServiceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The server's HTTP status, or <see langword="null"/> when it did not answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The server's Twirp error code, or <see langword="null"/> when the body had none.</summary>
    public string? ErrorCode { get; }
}
