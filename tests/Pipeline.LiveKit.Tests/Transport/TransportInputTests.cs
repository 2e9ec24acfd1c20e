using Pipeline.Core.Audio;
using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Testing;

namespace Pipeline.LiveKit.Tests.Transport;

/// <summary>
/// The transport's input over real WebRTC: the loopback SFU's participant (named "user" here) publishes a 440 Hz tone,
/// and the pipeline hears it at its own input rate.
/// </summary>
public sealed class TransportInputTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(16_000)]
    [InlineData(24_000)]
    public async Task The_users_microphone_arrives_as_input_audio_at_the_pipelines_rate(int inputRate)
    {
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--identity", "user");
        await using var transport = new LiveKitTransport(Options(sfu, endWhenUserLeaves: false), TestLogging.Factory);
        var pipeline = new FramePipeline(transport.Input());
        await using var harness = new PipelineHarness(pipeline, new PipelineTaskOptions { AudioInSampleRate = inputRate, IdleTimeout = null }, loggerFactory: TestLogging.Factory);
        harness.Start();

        await harness.WaitUntilAsync(() => harness.AtEnd.OfType<InputAudioRawFrame>().Count() >= 50, "a second of the user's audio");

        transport.UserIdentity.Should().Be("user");
        List<InputAudioRawFrame> audio = [.. harness.AtEnd.OfType<InputAudioRawFrame>().Skip(10).Take(40)];
        audio.Should().OnlyContain(f => f.SampleRate == inputRate && f.Channels == 1);
        audio.Should().OnlyContain(f => f.Duration == TimeSpan.FromMilliseconds(20));
        TestPatterns.MeasureFrequency(audio.Select(f => Pcm16.AsSamples(f.Audio.Span).ToArray()), inputRate).Should().BeApproximately(440, 5);
        double toneRms = 8000 / 32768.0 / Math.Sqrt(2); // Pcm16.Rms is relative to full scale
        audio.Select(f => Pcm16.Rms(f.Audio.Span)).Average().Should().BeInRange(toneRms * 0.8, toneRms * 1.2, "the tone's amplitude is 8000");

        await harness.QueueAsync(new EndFrame());
        PipelineFinish finish = await harness.FinishAsync();
        finish.Reason.Should().Be(PipelineFinishReason.Ended);
        finish.RunningTaskCount.Should().Be(0);
        transport.DisconnectCount.Should().Be(1, "the only side is done, so the room is left once");
        transport.Room.ConnectionState.Should().Be(RoomConnectionState.Disconnected);
    }

    [Fact]
    public async Task The_user_leaving_ends_the_pipeline_after_its_last_audio()
    {
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--identity", "user");
        await using var transport = new LiveKitTransport(Options(sfu, endWhenUserLeaves: true), TestLogging.Factory);
        var left = new TaskCompletionSource<LiveKitParticipantEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.ParticipantLeft += (_, e) => left.TrySetResult(e);
        await using var harness = new PipelineHarness(new FramePipeline(transport.Input()), new PipelineTaskOptions { IdleTimeout = null }, loggerFactory: TestLogging.Factory);
        harness.Start();
        await harness.WaitUntilAsync(() => harness.AtEnd.OfType<InputAudioRawFrame>().Any(), "the user's audio");

        await sfu.CommandAsync("leave");

        PipelineFinish finish = await harness.FinishAsync();
        finish.Reason.Should().Be(PipelineFinishReason.Ended, "the user left and the transport ends the pipeline");
        finish.RunningTaskCount.Should().Be(0);
        (await left.Task.WaitAsync(Budget)).Should().Be(new LiveKitParticipantEventArgs("user", true, DisconnectReason.ClientInitiated));
        harness.AtEnd.OfType<ParticipantLeftFrame>().Should().ContainSingle(f => f.Identity == "user" && f.IsUser);
        harness.AtEnd.OfType<EndFrame>().Should().ContainSingle().Which.Reason.Should().Contain("user left");
        harness.AtEnd.SkipWhile(f => f is not EndFrame).Skip(1).OfType<InputAudioRawFrame>().Should().BeEmpty("the EndFrame follows the user's last audio");
        transport.DisconnectCount.Should().Be(1);
    }

    [Fact]
    public async Task An_agent_is_never_taken_for_the_user_and_a_named_participant_is_waited_for()
    {
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--identity", "someone-else");
        await using var transport = new LiveKitTransport(Options(sfu, endWhenUserLeaves: true) is var o
            ? new LiveKitTransportOptions { Url = o.Url, Token = o.Token, ParticipantIdentity = "user" }
            : null!, TestLogging.Factory);
        await using var harness = new PipelineHarness(new FramePipeline(transport.Input()), new PipelineTaskOptions { IdleTimeout = null }, loggerFactory: TestLogging.Factory);
        harness.Start();
        await harness.WaitUntilAsync(() => transport.Room.GetParticipant("someone-else") is not null, "the other participant to be in the room");

        await harness.QueueAsync(new EndFrame());
        PipelineFinish finish = await harness.FinishAsync();

        finish.Reason.Should().Be(PipelineFinishReason.Ended);
        transport.UserIdentity.Should().BeNull("only \"user\" is listened to");
        harness.AtEnd.OfType<InputAudioRawFrame>().Should().BeEmpty();
    }

    internal static LiveKitTransportOptions Options(LoopbackSfu sfu, bool endWhenUserLeaves) => new()
    {
        Url = sfu.Url,
        Token = "transport-test-token",
        EndWhenParticipantLeaves = endWhenUserLeaves,
        Room = new RoomConnectOptions { ConnectTimeout = Budget },
    };
}
