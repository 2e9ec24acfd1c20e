using Microsoft.Extensions.Logging;

namespace Pipeline.Testing;

/// <summary>One captured log line.</summary>
/// <param name="Category">The logger's category (usually the type name).</param>
/// <param name="Level">The level.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Values">The structured values, <c>name=value</c> joined by <c> | </c>.</param>
/// <param name="Exception">The exception's text, if any.</param>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, string Values, string? Exception)
{
    /// <summary>Everything the line would show anywhere.</summary>
    public string FullText => $"{Message} {Values} {Exception}";
}
