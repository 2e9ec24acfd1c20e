namespace Pipeline.HeyGen.Tests.DependencyInjection;

/// <summary>A handler added through the registration's IHttpClientBuilder: counts the requests that pass through it.
/// The factory builds a handler chain per rotation, so the count lives in a shared <see cref="Counter"/>.</summary>
internal sealed class CountingHandler(CountingHandler.Counter counter) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref counter.Requests);
        return base.SendAsync(request, cancellationToken);
    }

    internal sealed class Counter
    {
        public int Requests;
    }
}
