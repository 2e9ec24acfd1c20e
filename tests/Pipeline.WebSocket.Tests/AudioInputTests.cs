using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.WebSocket.Frames;
using Pipeline.WebSocket.Tests.Support;

namespace Pipeline.WebSocket.Tests;

public sealed class AudioInputTests
{
    [Fact]
    public async Task The_clients_microphone_reaches_the_pipeline_as_input_audio_at_the_declared_rate()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri, 16_000);
        byte[] tone = TestSignals.Tone(440, TimeSpan.FromMilliseconds(400), 16_000);
        for (int offset = 0; offset < tone.Length; offset += 640)
        {
            await client.SendAudioAsync(tone.AsSpan(offset, 640), 16_000);
        }

        await served.Harness.WaitUntilAsync(() => served.Recorder.InputAudio().Length >= tone.Length, "all the audio to arrive");

        served.Recorder.Downstream.OfType<InputAudioRawFrame>().Should().OnlyContain(f => f.SampleRate == 16_000 && f.Channels == 1);
        served.Recorder.InputAudio().Should().Equal(tone, "audio at the pipeline's rate passes unchanged");
        served.Recorder.Downstream.OfType<WebSocketClientConnectedFrame>().Should().ContainSingle().Which.SampleRate.Should().Be(16_000);
    }

    [Fact]
    public async Task Audio_at_another_rate_is_resampled_to_the_pipelines_input_rate()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri, 48_000);
        byte[] tone = TestSignals.Tone(440, TimeSpan.FromSeconds(1), 48_000);
        for (int offset = 0; offset < tone.Length; offset += 1920)
        {
            await client.SendAudioAsync(tone.AsSpan(offset, 1920), 48_000);
        }

        // One second at 48 kHz is 32000 bytes at 16 kHz, less what the streaming resampler still holds.
        await served.Harness.WaitUntilAsync(() => served.Recorder.InputAudio().Length >= 31_000, "the resampled audio");

        byte[] received = served.Recorder.InputAudio();
        served.Recorder.Downstream.OfType<InputAudioRawFrame>().Should().OnlyContain(f => f.SampleRate == 16_000);
        received.Length.Should().BeLessThanOrEqualTo(32_000);
        TestSignals.ZeroCrossingsPerSecond(received.AsSpan(3200), 16_000).Should().BeApproximately(880, 10, "a 440 Hz tone stays 440 Hz");
        Pcm16.LevelDbfs(received.AsSpan(3200)).Should().BeApproximately(Pcm16.LevelDbfs(tone), 1);
    }

    [Fact]
    public async Task The_clients_capture_timestamp_travels_in_the_frames_metadata()
    {
        await using var served = await ServedPipeline.StartAsync();
        await using TestClient client = await TestClient.JoinAsync(served.WebSocketUri);
        await client.SendBinaryAsync(TestClient.AudioMessage(new byte[640], 16_000, timestamp: 1_733_000_000_000_000));

        await served.WaitForAsync<InputAudioRawFrame>();

        served.Recorder.Downstream.OfType<InputAudioRawFrame>().Single().Metadata[WebSocketInputTransport.ClientTimestampKey]
            .Should().Be(1_733_000_000_000_000L);
    }
}
