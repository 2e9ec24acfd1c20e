using System.Net;

namespace Pipeline.LiveKit.AvatarWorkers;

/// <summary>A provider refused to start its avatar worker or could not be reached. The message never holds a key or token.</summary>
public sealed class AvatarWorkerDispatchException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What failed and what to do, without secrets.</param>
    /// <param name="statusCode">The provider's HTTP status, when it answered.</param>
    /// <param name="innerException">The transport error, when it did not.</param>
    public AvatarWorkerDispatchException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The provider's HTTP status, or <see langword="null"/> when it did not answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Whether trying again later may succeed (no answer, 408, 429 or 5xx).</summary>
    public bool IsTransient => StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int?)StatusCode >= 500;
}
