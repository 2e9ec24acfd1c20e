using System.Net.WebSockets;
using System.Text;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Security.Tests.Infrastructure;

namespace Pipeline.Security.Tests;

/// <summary>A real avatar pipeline whose server sends bad messages first: they are counted and ignored, the session works.</summary>
public sealed class BadWebSocketMessageTests
{
    [Theory]
    [InlineData("hello")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"type\":5}")]
    [InlineData("{\"type\":\"agent.dance\",\"x\":{}}")]
    [InlineData("{\"type\":\"session.state_updated\",\"state\":{\"x\":1}}")]
    [InlineData("{\"type\":\"agent.speak_ended\",\"task\":{\"id\":{\"a\":1}},\"event_id\":7}")]
    [InlineData("{\"type\":\"agent.state_updated\",\"previous_state\":[],\"new_state\":null}")]
    public Task A_bad_server_message_before_the_session_is_ignored_and_speech_still_arrives_intact(string message) => RunAsync(message, expectedErrors: 0);

    [Theory]
    [InlineData("{\"type\":\"error\",\"error\":{\"type\":1,\"message\":false,\"code\":1e400}}")]
    [InlineData("{\"type\":\"error\",\"error\":42,\"code\":[1]}")]
    public Task A_malformed_server_error_event_is_reported_once_and_the_session_goes_on(string message) => RunAsync(message, expectedErrors: 1);

    [Theory]
    [InlineData("{\"type\":\"\\ud800\"}")]
    [InlineData("{\"type\":\"warning\",\"message\":\"\\udc00 lone low surrogate\"}")]
    [InlineData("{\"type\":\"agent.speak_started\",\"event_id\":\"\\ud83d\"}")]
    public Task A_server_message_with_a_lone_surrogate_does_not_kill_the_pipeline(string message) => RunAsync(message, expectedErrors: 0);

    [Theory]
    [InlineData(WebSocketMessageType.Text)]
    [InlineData(WebSocketMessageType.Binary)]
    public Task A_5_MB_server_message_is_dropped_and_the_session_goes_on(WebSocketMessageType type) =>
        RunAsync(Encoding.UTF8.GetBytes("{\"type\":\"warning\",\"message\":\"" + new string('w', 5 * 1024 * 1024) + "\"}"), type, expectedErrors: 0);

    private static Task RunAsync(string message, int expectedErrors) =>
        RunAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, expectedErrors);

    private static async Task RunAsync(byte[] message, WebSocketMessageType type, int expectedErrors)
    {
        await using AvatarHarness h = await AvatarHarness.CreateAsync();
        var original = h.Emulator.RealtimeHandler!;
        h.Emulator.RealtimeHandler = async (socket, session, ct) =>
        {
            await socket.SendAsync(message, type, endOfMessage: true, ct);
            await original(socket, session, ct);
        };
        h.Start();
        await AvatarHarness.WaitUntilAsync(() => h.AtEnd.Any(f => f is StartFrame), "the session started");

        byte[] speech = Speech.Make(TimeSpan.FromMilliseconds(800), 24_000);
        await h.QueueAsync([new OutputTransportReadyFrame(), new TTSStartedFrame { ContextId = "after-bad" },
            .. Speech.TtsFrames(speech, 24_000, "after-bad"), new TTSStoppedFrame { ContextId = "after-bad" }]);
        await h.Realtime.Recorder.WaitForCountAsync("agent.speak_end", 1).WaitAsync(AvatarHarness.Hang);
        await h.AdvanceUntilAsync(() => h.AtEnd.OfType<BotStoppedSpeakingFrame>().Any(), TimeSpan.FromSeconds(3), "the avatar finishing");

        h.Realtime.Recorder.AudioOf("after-bad").Should().Equal(speech);
        h.Realtime.ConnectionCount.Should().Be(1, "the bad message did not cost the connection");
        h.Errors.Should().HaveCount(expectedErrors);
        h.Errors.Where(e => e.IsFatal || !e.Message.Contains("HeyGen reported an error")).Should().BeEmpty();
        await h.QueueAsync(new EndFrame());
        (await h.FinishAsync()).Should().Be(PipelineFinishReason.Ended);
        h.Emulator.Sessions.Open.Should().BeEmpty();
    }
}
