using Pipeline.Core.Frames;
using Pipeline.Core.Pipelines;
using Pipeline.Testing;

namespace Pipeline.LiveKit.Tests.Transport;

/// <summary>Cancelling a run at any moment leaves the room exactly once, ends every task and releases every handle.</summary>
public sealed class TransportCancelTests
{
    public enum Moment
    {
        /// <summary>Right after the run starts, while the room is being joined.</summary>
        WhileJoining,

        /// <summary>Once the output has published its tracks.</summary>
        WhenReady,

        /// <summary>While the user's audio comes in and the bot's media goes out.</summary>
        WhileStreaming,
    }

    [Theory]
    [InlineData(Moment.WhileJoining)]
    [InlineData(Moment.WhenReady)]
    [InlineData(Moment.WhileStreaming)]
    public async Task Cancelling_leaves_the_room_once_and_ends_every_task(Moment moment)
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--identity", "user");
        await using var transport = new LiveKitTransport(TransportEndToEndTests.Options(sfu), TestLogging.Factory);
        LiveKitInputTransport input = transport.Input();
        LiveKitOutputTransport output = transport.Output();
        using var cancel = new CancellationTokenSource();
        var harness = new PipelineHarness(new FramePipeline(input, output), new PipelineTaskOptions { IdleTimeout = null }, loggerFactory: TestLogging.Factory);
        harness.Start(cancel.Token);
        Task media = Task.CompletedTask;
        switch (moment)
        {
            case Moment.WhenReady:
                await harness.WaitUntilAsync(() => transport.Room.LocalParticipant?.TrackPublications.Count == 2, "both tracks published");
                break;
            case Moment.WhileStreaming:
                media = TransportEndToEndTests.QueueBotMediaAsync(harness, TimeSpan.FromSeconds(10), timeout.Token);
                await harness.WaitUntilAsync(() => input.ReceivedAudioFrames > 10 && output.SentVideoFrames > 5, "media flowing both ways");
                break;
        }

        await cancel.CancelAsync();
        PipelineFinish finish = await harness.FinishAsync();
        await harness.DisposeAsync();
        await media.WaitAsync(timeout.Token);

        finish.Reason.Should().Be(PipelineFinishReason.Cancelled);
        finish.RunningTaskCount.Should().Be(0, $"no task outlives the run ({string.Join(", ", finish.RunningTaskNames)})");
        transport.DisconnectCount.Should().Be(1, "both sides were released when the pipeline disposed them");
        transport.Room.ConnectionState.Should().Be(RoomConnectionState.Disconnected);
        await transport.DisposeAsync();
        transport.DisconnectCount.Should().Be(1, "the room is left exactly once, whoever asks");
        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore, "every native handle is released");
    }
}
