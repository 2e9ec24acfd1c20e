using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Pipeline.HeyGen.Emulator.Protocol;

/// <summary>
/// The Interactive Avatar REST calls HeyGen's own JS SDK makes on a started session (code: SDK-IA):
/// <c>streaming.task</c> (speak text), <c>streaming.interrupt</c>, <c>streaming.start_listening</c> and
/// <c>streaming.stop_listening</c>, all <c>{session_id, ...}</c> answered with the <c>{code:100}</c> envelope. They act
/// on the session's one emulated avatar, so the socket reports the same speak and state events as for websocket speech.
/// </summary>
/// <remarks>
/// The emulator has no text-to-speech: a task's speech is a quiet 220 Hz tone lasting
/// <see cref="SpeechPerCharacter"/> per character of the text (about 15 characters a second, a normal speaking rate),
/// which the avatar plays as any other utterance (<c>agent.speak_started</c> / <c>agent.speak_ended</c> with the task id).
/// The answer's <c>duration_ms</c> is that length. The answer comes at once for both <c>task_mode</c> values (assumed;
/// the docs do not say whether <c>sync</c> waits for the speech to end).
/// </remarks>
internal sealed class StreamingTaskEndpoints(StreamingApiEndpoints streaming, LiveSessions live)
{
    /// <summary>How long the placeholder speech lasts per character of text.</summary>
    public static readonly TimeSpan SpeechPerCharacter = TimeSpan.FromMilliseconds(65);

    private const int SampleRate = 24_000;
    private static readonly string[] TaskTypes = ["repeat", "chat", "talk"];
    private static readonly string[] TaskModes = ["sync", "async"];

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(EmulatorPaths.StreamingTask, TaskAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingTask));
        routes.MapPost(EmulatorPaths.StreamingInterrupt, InterruptAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingInterrupt));
        routes.MapPost(EmulatorPaths.StreamingStartListening, StartListeningAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingStartListening));
        routes.MapPost(EmulatorPaths.StreamingStopListening, StopListeningAsync).WithMetadata(new EndpointTag(EmulatorEndpoint.StreamingStopListening));
    }

    /// <summary>The placeholder speech for <paramref name="text"/>: PCM16 mono 24 kHz.</summary>
    public static byte[] PlaceholderSpeech(string text)
    {
        var samples = (int)(SpeechPerCharacter.TotalSeconds * text.Length * SampleRate);
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            var value = (short)(3000 * Math.Sin(2 * Math.PI * 220 * i / SampleRate));
            pcm[2 * i] = (byte)value;
            pcm[(2 * i) + 1] = (byte)(value >> 8);
        }

        return pcm;
    }

    private async Task TaskAsync(HttpContext context)
    {
        var (session, body) = await streaming.SessionAndBodyAsync(context).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        var text = Wire.String(body!, "text");
        if (string.IsNullOrWhiteSpace(text))
        {
            await Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeMissingParameter, "Required parameters missing: text").ConfigureAwait(false);
            return;
        }

        if ((body!["task_type"] is not null && !TaskTypes.Contains(Wire.String(body, "task_type")))
            || (body["task_mode"] is not null && !TaskModes.Contains(Wire.String(body, "task_mode"))))
        {
            await Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeInvalidParameter,
                "Invalid parameter: task_type must be repeat or chat, task_mode sync or async").ConfigureAwait(false);
            return;
        }

        var realtime = await StartedRealtimeAsync(context, session).ConfigureAwait(false);
        if (realtime is null)
        {
            return;
        }

        // repeat speaks the text; chat would answer it with HeyGen's own LLM, which the emulator does not have: it
        // speaks the text too (the length of the answer is what matters to a client).
        var taskId = Guid.NewGuid().ToString();
        var pcm = PlaceholderSpeech(text);
        realtime.RecordActivity(IdleActivity.Speech);
        realtime.Avatar.Speak(taskId, pcm);
        realtime.Avatar.SpeakEnd(taskId);
        await Wire.StreamingOk(context, new JsonObject
        {
            ["duration_ms"] = SpeechPerCharacter.TotalMilliseconds * text.Length,
            ["task_id"] = taskId,
        }).ConfigureAwait(false);
    }

    private Task InterruptAsync(HttpContext context) => ControlAsync(context, avatar => avatar.Interrupt());

    private Task StartListeningAsync(HttpContext context) => ControlAsync(context, avatar => avatar.StartListening());

    private Task StopListeningAsync(HttpContext context) => ControlAsync(context, avatar => avatar.StopListening());

    // The control calls answer success whether or not the avatar changed state (assumed: the SDK ignores their data).
    private async Task ControlAsync(HttpContext context, Func<Media.EmulatedAvatar, bool> act)
    {
        var (session, _) = await streaming.SessionAndBodyAsync(context).ConfigureAwait(false);
        if (session is null)
        {
            return;
        }

        var realtime = await StartedRealtimeAsync(context, session).ConfigureAwait(false);
        if (realtime is null)
        {
            return;
        }

        realtime.RecordActivity(IdleActivity.Control);
        act(realtime.Avatar);
        await Wire.StreamingOk(context, data: null).ConfigureAwait(false);
    }

    // A task on a closed (or never started) session: code 10005 "session state wrong" (forum, SDK-IA issue #26).
    private async Task<Realtime.RealtimeSessionContext?> StartedRealtimeAsync(HttpContext context, EmulatedSession session)
    {
        var realtime = session.State == EmulatedSessionState.Started ? live.GetOrCreate(session) : null;
        if (realtime is null)
        {
            var state = session.State == EmulatedSessionState.New ? "new" : "closed";
            await Wire.StreamingError(context, StatusCodes.Status400BadRequest, Wire.CodeSessionStateWrong, $"session state wrong: {state}").ConfigureAwait(false);
        }

        return realtime;
    }
}
