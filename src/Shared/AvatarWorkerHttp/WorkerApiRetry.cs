namespace Pipeline.AvatarWorkers.Http;

/// <summary>Which failures of a call are tried again (within the provider's retry settings). A 4xx other than 408 and
/// 429 is never retried.</summary>
internal enum WorkerApiRetry
{
    /// <summary>Sent once.</summary>
    Never,

    /// <summary>Every transient failure: no answer (timeout, dropped connection), HTTP 408, 429 and 5xx. For calls a
    /// repeat cannot double: reads, ends, and creations whose duplicate cannot survive.</summary>
    Transient,

    /// <summary>Only failures where the provider certainly did not act: the connection could not be opened, or HTTP
    /// 429. For creations whose duplicate would be billed: a timeout or a 5xx may have created one.</summary>
    Unprocessed,
}
