namespace Pipeline.HeyGen.Emulator;

/// <summary>
/// A failure to inject into calls of one endpoint. Build one with the factory methods, optionally adding a delay
/// with <c>with { Delay = ... }</c>, and register it with <see cref="EmulatorFaults.Inject"/>.
/// </summary>
public sealed record EmulatedFault
{
    private EmulatedFault(EmulatedFaultKind kind) => Kind = kind;

    /// <summary>What the fault does.</summary>
    public EmulatedFaultKind Kind { get; }

    /// <summary>How long to wait before acting (on the emulator's clock); zero for none. Cancelled when the client
    /// gives up (for example on its own timeout or cancellation).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>For <see cref="EmulatedFaultKind.Status"/>: the HTTP status.</summary>
    public int StatusCode { get; init; }

    /// <summary>For <see cref="EmulatedFaultKind.Status"/>: the body; null for the product's own error shape
    /// (<c>{"code": status, "message": ...}</c>).</summary>
    public string? Body { get; init; }

    /// <summary>For <see cref="EmulatedFaultKind.Status"/>: a <c>Retry-After</c> header, in whole seconds.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Answer with an HTTP status (and optionally a body and a <c>Retry-After</c>).</summary>
    /// <param name="statusCode">The HTTP status, 100–599.</param>
    /// <param name="body">The body; null for the product's usual error shape.</param>
    /// <param name="retryAfter">A <c>Retry-After</c> header value.</param>
    /// <returns>The fault.</returns>
    public static EmulatedFault Status(int statusCode, string? body = null, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        return new EmulatedFault(EmulatedFaultKind.Status) { StatusCode = statusCode, Body = body, RetryAfter = retryAfter };
    }

    /// <summary>Wait, then serve the call normally.</summary>
    /// <param name="delay">How long to wait.</param>
    /// <returns>The fault.</returns>
    public static EmulatedFault Delayed(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new EmulatedFault(EmulatedFaultKind.DelayOnly) { Delay = delay };
    }

    /// <summary>Abort the connection without answering.</summary>
    /// <returns>The fault.</returns>
    public static EmulatedFault DropConnection() => new(EmulatedFaultKind.DropConnection);

    /// <summary>
    /// Handle the request (a session is really created), but hold the answer back for <paramref name="delay"/>: the
    /// case of a client that gives up while the service has already done the work.
    /// </summary>
    /// <returns>The fault.</returns>
    public static EmulatedFault DelayResponse(TimeSpan delay) => new(EmulatedFaultKind.DelayResponse) { Delay = delay };

    /// <summary>Answer 200 with a body that is not valid JSON.</summary>
    /// <returns>The fault.</returns>
    public static EmulatedFault MalformedBody() => new(EmulatedFaultKind.MalformedBody);
}
