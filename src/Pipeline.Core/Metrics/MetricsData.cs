namespace Pipeline.Core.Metrics;

/// <summary>One measurement taken by a processor.</summary>
/// <param name="Processor">Name of the processor that took it.</param>
public abstract record MetricsData(string Processor);

/// <summary>Time from a request to the first byte of its answer (e.g. TTS start to first avatar frame).</summary>
/// <param name="Processor">Name of the processor that took it.</param>
/// <param name="Value">The time to first byte.</param>
public sealed record TtfbMetricsData(string Processor, TimeSpan Value) : MetricsData(Processor)
{
    /// <inheritdoc />
    public override string ToString() => $"ttfb {Processor} {Value.TotalMilliseconds:F1} ms";
}

/// <summary>Time a processor spent on one unit of work.</summary>
/// <param name="Processor">Name of the processor that took it.</param>
/// <param name="Value">The processing time.</param>
public sealed record ProcessingMetricsData(string Processor, TimeSpan Value) : MetricsData(Processor)
{
    /// <inheritdoc />
    public override string ToString() => $"processing {Processor} {Value.TotalMilliseconds:F1} ms";
}

/// <summary>A usage count (characters synthesised, seconds of media, tokens).</summary>
/// <param name="Processor">Name of the processor that took it.</param>
/// <param name="Kind">What is counted, e.g. <c>tts_characters</c>.</param>
/// <param name="Value">The count.</param>
public sealed record UsageMetricsData(string Processor, string Kind, double Value) : MetricsData(Processor)
{
    /// <inheritdoc />
    public override string ToString() => $"usage {Processor} {Kind}={Value}";
}
