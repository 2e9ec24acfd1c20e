namespace Pipeline.AI;

/// <summary>Reads provider streams so that cancellation releases the reader at once, whether or not the provider honours its token.</summary>
internal static class StreamGuard
{
    /// <summary>
    /// Advances <paramref name="enumerator"/>; when the provider has not answered synchronously, the wait ends as soon
    /// as <paramref name="cancellationToken"/> is cancelled even if the provider ignores the token (its late answer is
    /// then dropped).
    /// </summary>
    public static async ValueTask<bool> MoveNextOrCancelAsync<T>(IAsyncEnumerator<T> enumerator, CancellationToken cancellationToken)
    {
        ValueTask<bool> next = enumerator.MoveNextAsync();
        if (next.IsCompleted)
        {
            return next.Result;
        }

        return await next.AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
