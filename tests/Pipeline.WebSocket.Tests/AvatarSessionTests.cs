using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.HeyGen.Api;
using Pipeline.HeyGen.Emulator;
using Pipeline.HeyGen.Video;
using Pipeline.Testing;
using Pipeline.WebSocket.Frames;
using Pipeline.WebSocket.Tests.Support;

namespace Pipeline.WebSocket.Tests;

/// <summary>The transport around a real avatar service (the in-repo HeyGen emulator on Kestrel).</summary>
public sealed class AvatarSessionTests
{
    [Fact]
    public async Task A_client_leaving_while_the_avatar_speaks_ends_the_pipeline_and_closes_the_avatar_session_once()
    {
        await using HeyGenEmulator emulator = await HeyGenEmulator.StartAsync();
        using var api = new HeyGenApi(new HeyGenApiOptions { ApiKey = emulator.ApiKey, BaseUrl = emulator.StreamingApiBaseUrl });
        var avatar = new HeyGenVideoService(api, emulator.MediaConnector, new HeyGenVideoServiceOptions { SessionRequest = new NewSessionRequest() });
        await using var served = await ServedPipeline.StartAsync(new WebSocketTransportOptions { DisconnectPolicy = ClientDisconnectPolicy.EndPipeline }, avatar);
        await using (TestClient client = await TestClient.JoinAsync(served.WebSocketUri))
        {
            // The transport's ready frame opens the avatar's media gate; then the bot starts a long answer.
            byte[] speech = TestSignals.Tone(220, TimeSpan.FromSeconds(4), 24_000, 0.3);
            await served.Harness.QueueAsync([
                new TTSStartedFrame { ContextId = "answer" },
                .. Enumerable.Range(0, speech.Length / 960).Select(i => new TTSAudioRawFrame(speech.AsMemory(i * 960, 960), 24_000, 1) { ContextId = "answer" }),
            ]);

            Received frame = await client.ReceiveUntilAsync(m => m.Kind == 2);
            frame.IsClose.Should().BeFalse("the avatar's video reaches the client while it speaks");
            await client.ReceiveUntilAsync(m => m.Type == "speaking" && m.Event!.Value.GetProperty("who").GetString() == "bot");
            emulator.Sessions.Open.Should().ContainSingle("the avatar is mid-utterance");

            await client.CloseAsync();
        }

        PipelineFinish finish = await served.Harness.FinishAsync();

        finish.Reason.Should().Be(PipelineFinishReason.Ended);
        finish.RunningTaskCount.Should().Be(0, string.Join(", ", finish.RunningTaskNames));
        served.Recorder.Downstream.OfType<WebSocketClientDisconnectedFrame>().Should().ContainSingle();
        emulator.Sessions.Open.Should().BeEmpty();
        emulator.Sessions.StoppedCount.Should().Be(1, "the billed session is closed exactly once");
    }
}
