using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Pipeline.LiveKit.Tests;

/// <summary>
/// Addressed data between three clients joined with access tokens, as in the avatar-worker protocol (agent, worker,
/// and a user who must hear none of it): byte streams and RPC packets reach only their destination, every stream
/// whole with its chunks in the order sent. (Handlers of different streams run concurrently, so the order in which
/// they finish is not the order of the streams.)
/// </summary>
public sealed class AddressedDataTests
{
    private const string Topic = "lk.audio_stream";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Byte_streams_and_rpc_calls_reach_only_their_destination_whole_and_in_order()
    {
        long handlesBefore = LiveKitRuntime.OutstandingHandles;
        using var timeout = new CancellationTokenSource(Budget);
        await using (LoopbackSfu sfu = await LoopbackSfu.StartAsync("--no-avatar", "--api-key", TestJwt.ApiKey, "--api-secret", TestJwt.ApiSecret))
        {
            await using var agent = new Room(TestLogging.Factory);
            await using var worker = new Room(TestLogging.Factory);
            await using var user = new Room(TestLogging.Factory);
            var atWorker = new ConcurrentQueue<string>();
            var atUser = new ConcurrentQueue<string>();
            var workerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var userDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            worker.RegisterByteStreamHandler(Topic, reader => Record(reader, atWorker, workerDone, timeout.Token));
            user.RegisterByteStreamHandler(Topic, reader => Record(reader, atUser, userDone, timeout.Token));
            await agent.ConnectAsync(sfu.Url, TestJwt.Join("agent", kind: "agent"), Options, timeout.Token);
            await worker.ConnectAsync(sfu.Url, TestJwt.Join("worker", attributes: new Dictionary<string, string> { ["lk.publish_on_behalf"] = "agent" }), Options, timeout.Token);
            await user.ConnectAsync(sfu.Url, TestJwt.Join("user"), Options, timeout.Token);
            var calledAtWorker = new ConcurrentQueue<string>();
            var calledAtUser = new ConcurrentQueue<string>();
            worker.LocalParticipant!.RegisterRpcMethod("lk.clear_buffer", call => Answer(call, calledAtWorker));
            user.LocalParticipant!.RegisterRpcMethod("lk.clear_buffer", call => Answer(call, calledAtUser));

            // Streams and calls interleaved, all to the worker: each stream is several chunks of its own number.
            for (int n = 0; n < 20; n++)
            {
                await SendStream(agent, "worker", n, timeout.Token);
                if (n % 4 == 3)
                {
                    string answer = await agent.LocalParticipant!.PerformRpcAsync("worker", "lk.clear_buffer", n.ToString(CultureInfo.InvariantCulture), cancellationToken: timeout.Token);
                    answer.Should().Be("worker cleared " + n);
                }
            }

            await SendStream(agent, "worker", -1, timeout.Token); // the worker's end marker
            // Then one stream to the user: had anything meant for the worker reached the user, it came first.
            await SendStream(agent, "user", -1, timeout.Token);

            await Task.WhenAll(workerDone.Task, userDone.Task).WaitAsync(timeout.Token);
            atWorker.Should().BeEquivalentTo(Enumerable.Range(0, 20).Select(n => Expected(n)), "every stream arrives once, whole, its chunks in order");
            calledAtWorker.Should().Equal("3", "7", "11", "15", "19");
            atUser.Should().BeEmpty("the user was the destination of nothing but the end marker");
            calledAtUser.Should().BeEmpty();
        }

        LiveKitRuntime.OutstandingHandles.Should().Be(handlesBefore);
    }

    private static async Task SendStream(Room sender, string destination, int n, CancellationToken cancellationToken)
    {
        var options = new ByteStreamOptions { Topic = Topic, DestinationIdentities = [destination], Attributes = new Dictionary<string, string> { ["n"] = n.ToString(CultureInfo.InvariantCulture) } };
        await using ByteStreamWriter writer = await sender.LocalParticipant!.StreamBytesAsync(options, cancellationToken);
        for (int chunk = 0; chunk < 3 && n >= 0; chunk++)
        {
            await writer.WriteAsync(Encoding.UTF8.GetBytes($"{n}.{chunk};"), cancellationToken);
        }

        await writer.CloseAsync(cancellationToken: cancellationToken);
    }

    private static string Expected(int n) => $"{n}.0;{n}.1;{n}.2;";

    private static async Task Record(ByteStreamReader reader, ConcurrentQueue<string> received, TaskCompletionSource done, CancellationToken cancellationToken)
    {
        byte[] bytes = await reader.ReadAllAsync(cancellationToken);
        if (reader.Info.Attributes["n"] == "-1")
        {
            done.TrySetResult();
            return;
        }

        received.Enqueue(Encoding.UTF8.GetString(bytes));
    }

    private static Task<string> Answer(RpcInvocation call, ConcurrentQueue<string> calls)
    {
        calls.Enqueue(call.Payload);
        return Task.FromResult($"{call.CallerIdentity.Replace("agent", "worker", StringComparison.Ordinal)} cleared {call.Payload}");
    }

    private static RoomConnectOptions Options => new() { ConnectTimeout = Budget };
}
