using System.Diagnostics;

namespace Pipeline.AI.Diagnostics;

/// <summary>
/// The names under which Pipeline.AI publishes its metrics and traces: pass them to OpenTelemetry's <c>AddMeter</c> and
/// <c>AddSource</c>.
/// </summary>
/// <remarks>
/// Instruments: <c>pipeline.ai.ttfb</c> (s; request to the provider's first streamed result) and
/// <c>pipeline.ai.request.duration</c> (s; by outcome), both by kind (LLM, TTS, STT) and provider. Activities: one per
/// provider request, named after its kind and call (e.g. <c>LLM GetStreamingResponseAsync</c>); the provider's own
/// activities (an HTTP call, Microsoft.Extensions.AI's OpenTelemetry wrapper) are its children. Tags never carry
/// request content, keys or URLs.
/// </remarks>
public static class AITelemetry
{
    /// <summary>The name of Pipeline.AI's meter.</summary>
    public const string MeterName = "Pipeline.AI";

    /// <summary>The name of Pipeline.AI's activity source.</summary>
    public const string ActivitySourceName = "Pipeline.AI";

    internal static readonly string? Version = typeof(AITelemetry).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource Source = new(ActivitySourceName, Version);
}
