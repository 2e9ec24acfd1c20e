using System.Net;

namespace Pipeline.AvatarWorkers.Http;

/// <summary>A successful (2xx) answer. <see cref="Body"/> may echo secrets: parse it, never log or quote it.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The response body.</param>
/// <param name="Attempts">How many attempts the call took.</param>
internal sealed record WorkerApiResponse(HttpStatusCode Status, string Body, int Attempts);
