namespace Pipeline.Core.Diagnostics;

/// <summary>The tag names used on Pipeline.Core's instruments and activities.</summary>
internal static class TelemetryTags
{
    /// <summary>The processor's type name (bounded cardinality: one value per processor class).</summary>
    public const string ProcessorType = "pipeline.processor.type";

    /// <summary>The processor's name (as given, or the type name with an instance number).</summary>
    public const string Processor = "pipeline.processor";

    /// <summary>Why a frame was dropped.</summary>
    public const string DropReason = "pipeline.drop.reason";

    /// <summary>How something ended (an utterance: spoken, interrupted, lost).</summary>
    public const string Outcome = "pipeline.outcome";

    /// <summary>The exception type of a failure (OpenTelemetry's <c>error.type</c>).</summary>
    public const string ErrorType = "error.type";

    /// <summary>The avatar session's id (activities only).</summary>
    public const string SessionId = "pipeline.avatar.session.id";

    /// <summary>The avatar utterance's id (activities only).</summary>
    public const string UtteranceId = "pipeline.avatar.utterance.id";

    /// <summary>Why a session was closed.</summary>
    public const string CloseReason = "pipeline.avatar.close.reason";
}
