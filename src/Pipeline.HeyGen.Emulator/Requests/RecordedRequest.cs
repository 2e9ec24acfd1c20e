using System.Text.Json;

namespace Pipeline.HeyGen.Emulator;

/// <summary>One HTTP request as it arrived on the wire, recorded before any fault or handler ran.</summary>
/// <param name="Endpoint">The endpoint it was routed to; null for a path the emulator does not serve.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The URL path, for example <c>/v1/streaming.new</c>.</param>
/// <param name="Query">The query string including <c>?</c>, or empty.</param>
/// <param name="Headers">The request headers (case-insensitive names; multiple values joined with <c>, </c>).</param>
/// <param name="Body">The body as UTF-8 text, or empty.</param>
/// <param name="ReceivedAt">When it arrived (emulator clock).</param>
public sealed record RecordedRequest(
    EmulatorEndpoint? Endpoint,
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    DateTimeOffset ReceivedAt)
{
    /// <summary>
    /// The body's JSON fields the endpoint does not know (dotted paths for nested ones, e.g. <c>voice.voiceId</c>):
    /// the real service would most likely ignore them and apply the field's default, so a client that sends one has
    /// misnamed something. Empty for a clean request. The emulator also logs a warning naming them.
    /// </summary>
    public IReadOnlyList<string> UnknownFields { get; init; } = [];

    /// <summary>A header's value, or null when absent.</summary>
    /// <param name="name">The header name (any case).</param>
    /// <returns>The value.</returns>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Parses the body as JSON (the caller disposes the document).</summary>
    /// <returns>The parsed body.</returns>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    public JsonDocument BodyJson() => JsonDocument.Parse(Body);
}
