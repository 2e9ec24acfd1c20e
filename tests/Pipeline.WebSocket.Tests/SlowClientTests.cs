using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.WebSocket.Server;
using Pipeline.WebSocket.Tests.Support;

namespace Pipeline.WebSocket.Tests;

/// <summary>What a client that stops reading costs: a few dropped video frames, then a close; never an unbounded queue.</summary>
public sealed class SlowClientTests
{
    [Fact]
    public async Task Video_for_a_client_that_stopped_reading_is_dropped_then_the_client_is_closed_when_the_queue_is_full()
    {
        var socket = new StalledWebSocket();
        var options = new WebSocketTransportOptions { MaxPendingVideoFrames = 2, MaxPendingMessages = 16 };
        using var session = new ClientSession(socket, options, TimeProvider.System, NullLogger.Instance);
        var inbound = Channel.CreateUnbounded<InboundEvent>();
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        Task running = session.RunAsync(16_000, inbound.Writer, _ => { joined.TrySetResult(); return default; }, stop.Token);
        await Task.WhenAny(joined.Task, running).WaitAsync(TimeSpan.FromSeconds(20));
        session.Close.Should().BeNull("the hello (without a channel count: mono) was accepted");

        bool[] reserved = [.. Enumerable.Range(0, 5).Select(_ => session.TryReserveVideo())];

        reserved.Should().Equal(true, true, false, false, false);
        session.DroppedVideoFrames.Should().Be(3);
        int audioQueued = 0;
        while (session.TrySendAudio(new byte[960], 24_000, 1))
        {
            audioQueued++;
        }

        audioQueued.Should().BeInRange(15, 16, "the queue holds 16 messages; the welcome is in it or already in the stalled send");
        session.Close!.Status.Should().Be(WebSocketCloseStatus.PolicyViolation);
        session.Close.Reason.Should().Contain("too slow: 16 messages were waiting");
        session.TrySendAudio(new byte[960], 24_000, 1).Should().BeFalse("a closing session takes nothing more");

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
