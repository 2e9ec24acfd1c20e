using System.Reflection;
using System.Text.Json;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Realtime.Events;

namespace Pipeline.Security.Tests.Infrastructure;

/// <summary>
/// The library's two wire parsers, reached by reflection because they are internal and this project is not in
/// Pipeline.HeyGen's InternalsVisibleTo: <c>RealtimeServerEventParser.TryParse</c> (every websocket message) and
/// <c>ResponseEnvelope.ParseSuccessBody</c>/<c>ParseErrorBody</c> (every REST body). Exceptions are not wrapped.
/// </summary>
internal static class Parsers
{
    private const BindingFlags StaticPublic = BindingFlags.Static | BindingFlags.Public;
    private static readonly Assembly HeyGen = typeof(HeyGenApi).Assembly;

    private static readonly MethodInfo RealtimeTryParse = Method("Pipeline.HeyGen.Realtime.Protocol.RealtimeServerEventParser", "TryParse");
    private static readonly MethodInfo EnvelopeSuccess = Method("Pipeline.HeyGen.Api.Http.ResponseEnvelope", "ParseSuccessBody");
    private static readonly MethodInfo EnvelopeError = Method("Pipeline.HeyGen.Api.Http.ResponseEnvelope", "ParseErrorBody");
    private static readonly Type EnvelopeType = HeyGen.GetType("Pipeline.HeyGen.Api.Http.ResponseEnvelope", throwOnError: true)!;

    /// <summary>The success codes of the Interactive Avatar API (100) and LiveAvatar (1000).</summary>
    public static readonly ICollection<int> SuccessCodes = new HashSet<int> { 100, 1000 };

    public static RealtimeParse ParseRealtime(ReadOnlyMemory<byte> utf8)
    {
        object?[] args = [utf8, null, null];
        object outcome = RealtimeTryParse.Invoke(null, BindingFlags.DoNotWrapExceptions, null, args, null)!;
        return new RealtimeParse(outcome.ToString()!, (RealtimeServerEvent?)args[1], (string?)args[2]);
    }

    /// <summary>Parses a 2xx body. Documented to throw only <see cref="JsonException"/>.</summary>
    public static Envelope ParseSuccessBody(string body)
    {
        object boxed = EnvelopeSuccess.Invoke(null, BindingFlags.DoNotWrapExceptions, null, [body, SuccessCodes], null)!;
        return new Envelope(
            (bool)EnvelopeType.GetProperty("IsSuccess")!.GetValue(boxed)!,
            (string?)EnvelopeType.GetProperty("Code")!.GetValue(boxed),
            (string?)EnvelopeType.GetProperty("Message")!.GetValue(boxed),
            (JsonElement?)EnvelopeType.GetProperty("Data")!.GetValue(boxed));
    }

    /// <summary>Reads the code and message of an error body. Documented never to throw.</summary>
    public static (string? Code, string? Message) ParseErrorBody(string body) =>
        ((string?, string?))EnvelopeError.Invoke(null, BindingFlags.DoNotWrapExceptions, null, [body], null)!;

    private static MethodInfo Method(string type, string name) =>
        HeyGen.GetType(type, throwOnError: true)!.GetMethod(name, StaticPublic)
        ?? throw new MissingMethodException(type, name);
}

internal sealed record RealtimeParse(string Outcome, RealtimeServerEvent? Event, string? TypeOrError);

internal sealed record Envelope(bool IsSuccess, string? Code, string? Message, JsonElement? Data);
