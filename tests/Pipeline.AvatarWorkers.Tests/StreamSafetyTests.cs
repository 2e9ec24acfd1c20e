using Pipeline.LiveKit;
using Pipeline.LiveKit.AvatarWorkers;

namespace Pipeline.AvatarWorkers.Tests;

/// <summary>
/// The engine (ffi 0.12.43) aborts the process when an outgoing stream that was never closed is released from one of
/// our threads. A stream whose open was abandoned, or whose writer is disposed unclosed, must be closed by the engine
/// instead: the process survives and the receiver sees the stream end.
/// </summary>
public sealed class StreamSafetyTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_abandoned_open_is_closed_by_the_engine_and_the_receiver_sees_it_end()
    {
        using var timeout = new CancellationTokenSource(WorkerHarness.Budget);
        await using LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar");
        await using var sender = new Room(TestLogging.Factory);
        await using var receiver = new Room(TestLogging.Factory);
        var ended = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.RegisterByteStreamHandler(AvatarWorkerProtocol.AudioStreamTopic, async reader =>
        {
            try
            {
                await reader.ReadAllAsync();
                ended.TrySetResult(true);
            }
            catch (LiveKitException)
            {
                ended.TrySetResult(false);
            }
        });
        await sender.ConnectAsync(sfu.Url, "identity:sender", new RoomConnectOptions { ConnectTimeout = Bound }, timeout.Token);
        await receiver.ConnectAsync(sfu.Url, "identity:receiver", new RoomConnectOptions { ConnectTimeout = Bound }, timeout.Token);
        using var abandon = new CancellationTokenSource();
        await abandon.CancelAsync();

        await FluentActions.Awaiting(() => sender.LocalParticipant!.StreamBytesAsync(
            new ByteStreamOptions { Topic = AvatarWorkerProtocol.AudioStreamTopic, DestinationIdentities = ["receiver"] }, abandon.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        (await ended.Task.WaitAsync(Bound)).Should().BeFalse("the engine closed the abandoned stream as cut short");
    }
}
