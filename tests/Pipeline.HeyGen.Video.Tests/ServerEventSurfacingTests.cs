using Microsoft.Extensions.Logging;
using Pipeline.Core.Frames;

namespace Pipeline.HeyGen.Video.Tests;

/// <summary>
/// The service's newer and unknown realtime events never break the session: buffer acknowledgements and
/// <c>agent.state_updated</c> are consumed, unknown types are skipped (debug log), and the service's own <c>error</c>
/// and <c>warning</c> texts reach the pipeline redacted.
/// </summary>
public sealed class ServerEventSurfacingTests
{
    [Fact]
    public async Task Newer_and_unknown_events_are_consumed_and_error_and_warning_texts_surface_redacted()
    {
        using var logs = new CapturingLoggerProvider();
        using ILoggerFactory loggerFactory = logs.CreateFactory();
        await using AvatarHarness h = await AvatarHarness.CreateAsync(loggerFactory: loggerFactory);
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");
        string token = h.Emulator.FindSession(h.Service.SessionId!)!.AccessToken!;

        h.Realtime.SendToClient("""{"type":"agent.brand_new_event","event_id":"n-1","detail":{"x":1}}""");
        h.Realtime.SendToClient("""{"type":"agent.audio_buffer_appended","event_id":"a-1","source_event_id":"s-1"}""");
        h.Realtime.SendToClient("""{"type":"agent.audio_buffer_committed","source_event_id":"s-1"}""");
        h.Realtime.SendToClient("""{"type":"agent.audio_buffer_cleared","source_event_id":"s-2"}""");
        h.Realtime.SendToClient("""{"type":"agent.state_updated","previous_state":"idle","new_state":"talking"}""");
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStartedSpeakingFrame>().Any(), TimeSpan.FromSeconds(2), "talking becoming bot speech");
        h.Realtime.SendToClient("""{"type":"agent.state_updated","previous_state":"talking","new_state":"idle"}""");
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), TimeSpan.FromSeconds(2), "idle ending bot speech");
        h.Realtime.SendToClient($$"""{"type":"warning","message":"audio arriving late for token {{token}}"}""");
        h.Realtime.SendToClient($$"""{"type":"error","error":{"type":"invalid_request_error","message":"bad audio from {{token}}"},"source_event_id":"s-3"}""");

        await h.AdvanceUntilAsync(() => h.Errors.Count > 0, TimeSpan.FromSeconds(2), "the service's error surfacing");
        ErrorFrame error = h.Errors.Should().ContainSingle().Subject;
        error.IsFatal.Should().BeFalse("a service error about one command does not end the session");
        error.Message.Should().Contain("invalid_request_error").And.Contain("bad audio from").And.NotContain(token);
        logs.Lines.Should().Contain(l => l.Level == LogLevel.Warning && l.Message.Contains("avatar warning") && l.Message.Contains("audio arriving late"),
            "the service's warning reaches the pipeline's log");
        logs.Lines.Should().Contain(l => l.Level == LogLevel.Debug && l.Message.Contains("agent.brand_new_event"));
        logs.Lines.Should().NotContain(l => l.Message.Contains(token), "no log line carries the session's token");

        // The loop still works: an utterance after all of it reaches the service.
        await h.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "c" }, .. Speech.TtsFrames(Speech.Make(TimeSpan.FromSeconds(1), 24_000), 24_000, "c")]);
        await h.AdvanceUntilAsync(() => h.Realtime.Recorder.OfType("agent.speak").Count > 0, TimeSpan.FromSeconds(2), "speech after the odd events");
        h.Task.Cancel();
        await h.FinishAsync();
        h.Emulator.Sessions.Open.Should().BeEmpty();
    }
}
